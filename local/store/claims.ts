/**
 * Claiming due deliveries: the rows the due query returns, less those in flight or with an outcome still held in
 * memory, each marked as one more attempt. The attempt is written with its outcome, not here: a crash before
 * then leaves the delivery as it was on disk, due again.
 */
import type Database from "better-sqlite3";
import type { DeliveryRows } from "./delivery-rows";
import { deliveryKey, type ClaimedDelivery } from "./rows";
import type { UnwrittenOutcomes } from "./unwritten";

/** What a claim reads: the due query, the outcomes held in memory, and the rows not written yet. */
export interface ClaimSources {
  /** `statements.ts`'s `due`: `(now, maxSeq, limit)`, in due order. */
  due: Database.Statement;
  held: UnwrittenOutcomes;
  late: DeliveryRows;
}

/** Which deliveries to claim: see `Store.dueDeliveries`. */
export interface ClaimRequest {
  now: number;
  limit: number;
  /** `deliveryKey`s in flight. */
  skip: ReadonlySet<string>;
  maxSeq: number;
}

/** Up to `limit` due deliveries, each with one more attempt counted on the returned row. */
export function claimDue(from: ClaimSources, { now, limit, skip, maxSeq }: ClaimRequest): ClaimedDelivery[] {
  // Rows skipped below still count against the query's LIMIT, so ask for that many more.
  const extra = skip.size + from.held.heldDeliveries;
  for (;;) {
    const rows = from.due.all(now, maxSeq, limit + extra) as ClaimedDelivery[];
    const out: ClaimedDelivery[] = [];
    for (const r of rows) {
      const key = deliveryKey(r.event_id, r.route_key);
      if (skip.has(key) || from.held.holds(key)) continue;
      r.claimedAs = r.status === "retrying" ? "retrying" : "pending";
      r.attempts += 1;
      r.first_attempt_at ??= now;
      r.last_attempt_at = now;
      r.status = "in_flight";
      out.push(r);
      if (out.length === limit) break;
    }
    // Events whose rows are not written yet are due too: write the next chunk and look again.
    if (out.length === limit || !from.late.materializeChunk()) return out;
  }
}
