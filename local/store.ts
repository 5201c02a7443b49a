/**
 * The local bus's durable state in one SQLite file (WAL): the archive of accepted events, one delivery row per
 * (event, matching route), the dead-letter table and the processors' idempotency results.
 *
 * Every state change is one short synchronous transaction, so a SIGKILL between two statements never leaves an
 * event accepted without its deliveries. `synchronous = NORMAL` in WAL mode survives a process crash (the
 * committed WAL is in the OS page cache); pass `synchronous: "FULL"` to also survive an OS crash or power loss.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import {
  SCHEMA,
  type ClaimedDelivery,
  type DeliveryRow,
  type DlqRow,
  type EventRow,
  type NewEvent,
} from "./schema";

export type { ClaimedDelivery, DeliveryRow, DeliveryStatus, DlqRow, EventRow, NewEvent } from "./schema";

/** Prepared statements over one database file. Synchronous on purpose: each call is one atomic step. */
export class Store {
  readonly db: Database.Database;
  private readonly stmt;
  /** Deliveries not yet done or dead-lettered, kept in memory so the backlog bound costs nothing per request. */
  private open: number;

  constructor(file: string, synchronous: "NORMAL" | "FULL" = "NORMAL") {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmt = {
      insertEvent: db.prepare(
        `INSERT INTO events (id, detail_type, source, accepted_at, envelope, replay_of, replay_name)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertDelivery: db.prepare(
        `INSERT INTO deliveries (event_id, route_key, status, next_at, window_start) VALUES (?, ?, 'pending', ?, ?)`,
      ),
      due: db.prepare(
        `SELECT d.*, e.envelope FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.status IN ('pending', 'retrying') AND d.next_at <= ? ORDER BY d.next_at LIMIT ?`,
      ),
      claim: db.prepare(
        `UPDATE deliveries SET status = 'in_flight', attempts = attempts + 1, last_attempt_at = ?,
         first_attempt_at = coalesce(first_attempt_at, ?) WHERE event_id = ? AND route_key = ?`,
      ),
      done: db.prepare(
        `UPDATE deliveries SET status = 'done', result = ?, done_at = ?, last_error = NULL
         WHERE event_id = ? AND route_key = ?`,
      ),
      retry: db.prepare(
        `UPDATE deliveries SET status = 'retrying', next_at = ?, last_error = ? WHERE event_id = ? AND route_key = ?`,
      ),
      dead: db.prepare(
        `UPDATE deliveries SET status = 'dead', last_error = ?, done_at = ? WHERE event_id = ? AND route_key = ?`,
      ),
      insertDlq: db.prepare(
        `INSERT INTO dlq (event_id, route_key, error, attempts, first_attempt_at, last_attempt_at, dead_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      nextDue: db.prepare(
        `SELECT min(next_at) AS at FROM deliveries WHERE status IN ('pending', 'retrying')`,
      ),
      recover: db.prepare(`UPDATE deliveries SET status = 'pending' WHERE status = 'in_flight'`),
      countOpen: db.prepare(
        `SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'in_flight', 'retrying')`,
      ),
      countByStatus: db.prepare(`SELECT status, count(*) AS n FROM deliveries GROUP BY status`),
      countEvents: db.prepare(`SELECT count(*) AS n FROM events`),
      event: db.prepare(`SELECT * FROM events WHERE id = ?`),
      eventDeliveries: db.prepare(`SELECT * FROM deliveries WHERE event_id = ? ORDER BY route_key`),
      openDlq: db.prepare(`SELECT * FROM dlq WHERE redriven_at IS NULL ORDER BY id LIMIT ?`),
      countDlq: db.prepare(`SELECT count(*) AS n FROM dlq WHERE redriven_at IS NULL`),
      dlqById: db.prepare(`SELECT * FROM dlq WHERE id = ? AND redriven_at IS NULL`),
      markRedriven: db.prepare(`UPDATE dlq SET redriven_at = ? WHERE id = ?`),
      redriveDelivery: db.prepare(
        `UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ?, window_start = ?,
         first_attempt_at = NULL, last_error = NULL, done_at = NULL
         WHERE event_id = ? AND route_key = ? AND status = 'dead'`,
      ),
      range: db.prepare(
        `SELECT * FROM events WHERE accepted_at >= ? AND accepted_at <= ? ORDER BY seq LIMIT ?`,
      ),
      recent: db.prepare(`SELECT * FROM events ORDER BY seq DESC LIMIT ?`),
      getIdem: db.prepare(`SELECT result FROM idempotency WHERE key = ?`),
      putIdem: db.prepare(`INSERT OR REPLACE INTO idempotency (key, result, stored_at) VALUES (?, ?, ?)`),
    };
    this.open = this.countOpenDeliveries();
  }

  /** Deliveries pending, in flight or waiting for a retry. */
  get openDeliveries(): number {
    return this.open;
  }

  /** Archives events and creates their deliveries, all or nothing. */
  readonly insertEvents = (events: readonly NewEvent[]): void => {
    this.db.transaction(() => {
      for (const e of events) {
        this.stmt.insertEvent.run(
          e.id,
          e.detailType,
          e.source,
          e.acceptedAt,
          e.envelope,
          e.replayOf ?? null,
          e.replayName ?? null,
        );
        for (const key of e.routeKeys) this.stmt.insertDelivery.run(e.id, key, e.acceptedAt, e.acceptedAt);
      }
    })();
    for (const e of events) this.open += e.routeKeys.length;
  };

  /** Marks up to `limit` due deliveries in flight (one more attempt) and returns them. */
  claimDue(now: number, limit: number): ClaimedDelivery[] {
    return this.db.transaction(() => {
      const rows = this.stmt.due.all(now, limit) as ClaimedDelivery[];
      for (const r of rows) {
        this.stmt.claim.run(now, now, r.event_id, r.route_key);
        r.attempts += 1;
        r.first_attempt_at ??= now;
        r.last_attempt_at = now;
        r.status = "in_flight";
      }
      return rows;
    })();
  }

  markDone(eventId: string, routeKey: string, result: unknown, now: number): void {
    this.open -= this.stmt.done.run(JSON.stringify(result ?? null), now, eventId, routeKey).changes;
  }

  markRetry(eventId: string, routeKey: string, nextAt: number, error: string): void {
    this.stmt.retry.run(nextAt, error, eventId, routeKey);
  }

  /** Dead-letters a delivery: its row and a DLQ entry in one transaction. */
  markDead(d: DeliveryRow, error: string, now: number): void {
    this.db.transaction(() => {
      this.stmt.dead.run(error, now, d.event_id, d.route_key);
      this.stmt.insertDlq.run(
        d.event_id,
        d.route_key,
        error,
        d.attempts,
        d.first_attempt_at ?? now,
        d.last_attempt_at ?? now,
        now,
      );
    })();
    this.open -= 1;
  }

  /** Earliest `next_at` of a waiting delivery, if any. */
  nextDueAt(): number | undefined {
    return (this.stmt.nextDue.get() as { at: number | null }).at ?? undefined;
  }

  /** Start-up: deliveries that were in flight when the previous process died are delivered again. */
  recoverInFlight(): number {
    return this.stmt.recover.run().changes;
  }

  countOpenDeliveries(): number {
    return (this.stmt.countOpen.get() as { n: number }).n;
  }

  countsByStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmt.countByStatus.all() as { status: string; n: number }[]) out[r.status] = r.n;
    return out;
  }

  countEvents(): number {
    return (this.stmt.countEvents.get() as { n: number }).n;
  }

  countDlq(): number {
    return (this.stmt.countDlq.get() as { n: number }).n;
  }

  event(id: string): EventRow | undefined {
    return this.stmt.event.get(id) as EventRow | undefined;
  }

  deliveriesOf(eventId: string): DeliveryRow[] {
    return this.stmt.eventDeliveries.all(eventId) as DeliveryRow[];
  }

  openDlq(limit: number): DlqRow[] {
    return this.stmt.openDlq.all(limit) as DlqRow[];
  }

  /** Puts dead-lettered deliveries back in the queue with a fresh retry budget; returns the redriven entries. */
  redrive(ids: readonly number[] | undefined, now: number): DlqRow[] {
    return this.db.transaction(() => {
      const entries = ids
        ? ids.map((id) => this.stmt.dlqById.get(id) as DlqRow | undefined).filter((r) => r !== undefined)
        : this.openDlq(1_000_000);
      for (const e of entries) {
        this.stmt.markRedriven.run(now, e.id);
        this.open += this.stmt.redriveDelivery.run(now, now, e.event_id, e.route_key).changes;
      }
      return entries;
    })();
  }

  eventsBetween(from: number, to: number, limit: number): EventRow[] {
    return this.stmt.range.all(from, to, limit) as EventRow[];
  }

  recentEvents(limit: number): EventRow[] {
    return this.stmt.recent.all(limit) as EventRow[];
  }

  getIdempotent(key: string): { result: unknown } | undefined {
    const row = this.stmt.getIdem.get(key) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as { result: unknown }) : undefined;
  }

  putIdempotent(key: string, result: unknown, now: number): void {
    this.stmt.putIdem.run(key, JSON.stringify({ result }), now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
