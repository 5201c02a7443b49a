/**
 * The local bus's durable state in one SQLite file (WAL): the archive of accepted events, one delivery row per
 * (event, matching route), the dead-letter table and the processors' idempotency results.
 *
 * Every state change is one synchronous transaction, so a SIGKILL never leaves an event accepted without its
 * deliveries. `synchronous = NORMAL` in WAL mode survives a process crash (the committed WAL is in the OS page
 * cache); pass `synchronous: "FULL"` to also survive an OS crash or power loss.
 *
 * Commits are the main cost per event, so only what must survive a crash is written: the accepted event with
 * its deliveries, and the outcome of an attempt. Which deliveries are in flight lives in memory (the delivery
 * loop's); after a crash they are simply still pending. Outcomes are group-committed per event-loop turn.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { Checkpointer } from "./checkpointer";
import {
  prepareStatements,
  SCHEMA,
  type ClaimedDelivery,
  type DeliveryRow,
  type DlqRow,
  type EventRow,
  type NewEvent,
} from "./schema";

export type { ClaimedDelivery, DeliveryRow, DeliveryStatus, DlqRow, EventRow, NewEvent } from "./schema";

/** Arguments of the `done` update. */
type DoneWrite = [
  result: string,
  doneAt: number,
  attempts: number,
  first: number,
  last: number,
  id: string,
  key: string,
];

export interface StoreOptions {
  /** `NORMAL` (default) survives a process crash; `FULL` also an OS crash or power loss. */
  synchronous?: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms (default 200); 0 leaves them to SQLite, in commits. */
  checkpointIntervalMs?: number;
  /** Told about checkpoint failures. */
  onError?: (message: string) => void;
}

/** Prepared statements over one database file. Synchronous on purpose: each call is one atomic step. */
export class Store {
  readonly db: Database.Database;
  private readonly stmt: ReturnType<typeof prepareStatements>;
  /** Deliveries not yet done or dead-lettered, kept in memory so the backlog bound costs nothing per request. */
  private open: number;
  private readonly tx;
  private pendingIdem = new Map<string, [string, number]>();
  /** Outcomes waiting for the group commit, by `deliveryKey`; never handed out as due meanwhile. */
  private pendingDone = new Map<string, DoneWrite>();
  private flushScheduled = false;

  private readonly checkpointer: Checkpointer | undefined;

  constructor(file: string, options: StoreOptions = {}) {
    const inMemory = file === ":memory:";
    if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    const interval = options.checkpointIntervalMs ?? 200;
    if (!inMemory && interval > 0) {
      // SQLite's own checkpoint stays as a backstop, far above what the thread lets the WAL reach.
      this.db.pragma("wal_autocheckpoint = 20000");
      this.checkpointer = new Checkpointer(
        path.resolve(file),
        interval,
        options.onError ?? (() => undefined),
      );
    }
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmt = prepareStatements(db);
    const stmt = this.stmt;
    this.tx = {
      insert: db.transaction((events: readonly NewEvent[]) => {
        for (const e of events) {
          stmt.insertEvent.run(
            e.id,
            e.detailType,
            e.source,
            e.acceptedAt,
            e.envelope,
            e.replayOf ?? null,
            e.replayName ?? null,
          );
          for (const key of e.routeKeys) stmt.insertDelivery.run(e.id, key, e.acceptedAt, e.acceptedAt);
        }
      }),
      flush: db.transaction((idem: Map<string, [string, number]>, done: Map<string, DoneWrite>) => {
        for (const [key, [result, at]] of idem) stmt.putIdem.run(key, result, at);
        for (const d of done.values()) stmt.done.run(...d);
      }),
    };
    this.open = this.countOpenDeliveries();
  }

  /** Deliveries pending, in flight or waiting for a retry. */
  get openDeliveries(): number {
    return this.open;
  }

  /** Archives events and creates their deliveries, all or nothing. */
  insertEvents(events: readonly NewEvent[]): void {
    this.tx.insert(events);
    for (const e of events) this.open += e.routeKeys.length;
  }

  /**
   * Up to `limit` deliveries due at `now`, skipping those whose key (`deliveryKey`) is in `skip` (in flight),
   * with one more attempt counted on the returned rows (written with the attempt's outcome).
   */
  dueDeliveries(now: number, limit: number, skip: ReadonlySet<string>): ClaimedDelivery[] {
    const rows = this.stmt.due.all(now, limit + skip.size + this.pendingDone.size) as ClaimedDelivery[];
    const out: ClaimedDelivery[] = [];
    for (const r of rows) {
      const key = deliveryKey(r.event_id, r.route_key);
      if (skip.has(key) || this.pendingDone.has(key)) continue;
      r.attempts += 1;
      r.first_attempt_at ??= now;
      r.last_attempt_at = now;
      r.status = "in_flight";
      out.push(r);
      if (out.length === limit) break;
    }
    return out;
  }

  /**
   * Records a delivery's result. Group commit: results and idempotency entries written in the same event-loop
   * turn share one transaction at the end of it. A crash before that re-delivers the event (at least once);
   * `getIdempotent` already sees the result.
   */
  markDone(d: DeliveryRow, result: unknown, now: number): void {
    const { attempts, first_attempt_at: first, last_attempt_at: last } = d;
    this.pendingDone.set(deliveryKey(d.event_id, d.route_key), [
      JSON.stringify(result ?? null),
      now,
      attempts,
      first ?? now,
      last ?? now,
      d.event_id,
      d.route_key,
    ]);
    this.open -= 1;
    this.scheduleFlush();
  }

  markRetry(d: DeliveryRow, nextAt: number, error: string): void {
    const { attempts, first_attempt_at: first, last_attempt_at: last } = d;
    this.stmt.retry.run(nextAt, error, attempts, first, last, d.event_id, d.route_key);
  }

  /** Dead-letters a delivery: its row and a DLQ entry in one transaction. */
  markDead(d: DeliveryRow, error: string, now: number): void {
    const first = d.first_attempt_at ?? now;
    const last = d.last_attempt_at ?? now;
    this.db.transaction(() => {
      this.stmt.dead.run(error, now, d.attempts, first, last, d.event_id, d.route_key);
      this.stmt.insertDlq.run(d.event_id, d.route_key, error, d.attempts, first, last, now);
    })();
    this.open -= 1;
  }

  /** Earliest `next_at` after `after` of a waiting delivery, if any. */
  nextDueAt(after: number): number | undefined {
    return (this.stmt.nextDue.get(after) as { at: number | null }).at ?? undefined;
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
    const pending = this.pendingIdem.get(key);
    if (pending) return JSON.parse(pending[0]) as { result: unknown };
    const row = this.stmt.getIdem.get(key) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as { result: unknown }) : undefined;
  }

  /** Stores a processor result for its idempotency key; group-committed like `markDone`. */
  putIdempotent(key: string, result: unknown, now: number): void {
    this.pendingIdem.set(key, [JSON.stringify({ result }), now]);
    this.scheduleFlush();
  }

  /** Commits the pending results now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pendingIdem.size === 0 && this.pendingDone.size === 0) return;
    const idem = this.pendingIdem;
    const done = this.pendingDone;
    this.pendingIdem = new Map();
    this.pendingDone = new Map();
    this.tx.flush(idem, done);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      if (this.db.open) this.flush();
    });
  }

  /** Commits pending results, stops the checkpoint thread and closes the database. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.flush();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}

/** Identifies one delivery (event × route) in memory. */
export function deliveryKey(eventId: string, routeKey: string): string {
  return `${routeKey}:${eventId}`;
}
