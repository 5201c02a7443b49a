/**
 * The local bus's durable state in one SQLite file (WAL): the archive of accepted events, one delivery row per
 * (event, matching route), the dead-letter table and the processors' idempotency results.
 *
 * Every state change is one synchronous transaction, so a SIGKILL never leaves an event accepted without the
 * routes it matched (with `deliveryRows: "late"` their rows are written after the 2xx; delivery-rows.ts).
 * `synchronous = NORMAL` in WAL mode survives a process crash (the committed WAL is in the OS page
 * cache); pass `synchronous: "FULL"` to also survive an OS crash or power loss.
 *
 * Commits are the main cost per event, so only what must survive a crash is written: the accepted event with
 * its routes, and the outcome of an attempt. Which deliveries are in flight lives in memory (the delivery
 * loop's); after a crash they are simply still pending. Outcomes are group-committed per event-loop turn.
 *
 * The delivery thread's Store (`remote` option) only reads: its writes go to the main thread in batches
 * (`remote-writes.ts`), and until a batch is confirmed its deliveries are never handed out as due again.
 */
import path from "node:path";
import { Checkpointer } from "./checkpointer";
import { DeliveryRows } from "./delivery-rows";
import { RemoteWrites } from "./remote-writes";
import { ReplayRows } from "./replays";
import { StoreReads } from "./reads";
import {
  deliveryKey,
  type ClaimedDelivery,
  type DeadWrite,
  type DlqRow,
  type DoneWrite,
  type NewEvent,
  type RetryWrite,
  type WriteBatch,
} from "./rows";
import { openDatabase } from "./schema";
import { prepareStatements } from "./statements";
import { prepareTransactions, writeDead, writeRetry } from "./writes";

/** How a `Store` opens its file and writes (the settings come from `local/options.ts`; nothing defaults here). */
export interface StoreOptions {
  /** `NORMAL` survives a process crash; `FULL` also an OS crash or power loss. */
  synchronous: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms; 0 leaves them to SQLite, in commits. */
  checkpointIntervalMs: number;
  /**
   * `late`: an event's delivery rows are written after its commit, not in it (delivery-rows.ts; the in-thread
   * delivery loop). `with-event`: in the same transaction (the delivery thread reads them on its own connection).
   */
  deliveryRows: "late" | "with-event";
  /** Told about checkpoint failures. */
  onError?: (message: string) => void;
  /**
   * The open-deliveries counter of another connection to the same file (the delivery thread's Store shares the
   * main one's, so both keep the backlog bound exact); when set, this Store does not count at start.
   */
  openCounter?: Int32Array;
  /** Makes this a reading Store that hands its writes to another connection's `applyWrites` (remote-writes.ts). */
  remote?: (batch: WriteBatch) => void;
}

/** Prepared statements over one database file. Synchronous on purpose: each call is one atomic step. */
export class Store extends StoreReads {
  /**
   * Deliveries not yet done or dead-lettered, kept in memory so the backlog bound costs nothing per request.
   * Shared memory: the delivery thread settles deliveries while the main thread inserts them.
   */
  readonly openCounter: Int32Array;
  private readonly tx: ReturnType<typeof prepareTransactions>;
  /** The replays table and the archive reads of replays. */
  readonly replays: ReplayRows;
  private pendingIdem = new Map<string, [string, number]>();
  /** Outcomes waiting for the group commit, by `deliveryKey`; never handed out as due meanwhile. */
  private pendingDone = new Map<string, DoneWrite>();
  private flushScheduled = false;
  /** The delivery thread's Store: writes go to the main thread. */
  private readonly remote: RemoteWrites | undefined;

  private readonly checkpointer: Checkpointer | undefined;
  /** Writes the delivery rows of events committed without them (absent on the delivery thread's reader). */
  private readonly late: DeliveryRows | undefined;
  /** Write delivery rows with the event (`deliveryRows: "with-event"`). */
  private readonly withRows: boolean;
  /** Highest event `seq` an outcome waiting for the group commit belongs to. */
  private materializeTo = 0;

  constructor(file: string, options: StoreOptions) {
    const interval = options.checkpointIntervalMs;
    const checkpoints = file !== ":memory:" && interval > 0 && !options.remote;
    const db = openDatabase(file, {
      synchronous: options.synchronous,
      checkpointsOnThread: checkpoints,
      migrate: !options.remote,
    });
    const late = options.remote ? undefined : new DeliveryRows(db);
    super(db, prepareStatements(db), late);
    this.late = late;
    this.remote = options.remote && new RemoteWrites(options.remote);
    if (checkpoints) {
      this.checkpointer = new Checkpointer(
        path.resolve(file),
        interval,
        options.onError ?? (() => undefined),
      );
    }
    this.withRows = options.deliveryRows === "with-event";
    // Rows are expected with every event from now on (the delivery thread reads them): write what a run with
    // late rows left unwritten.
    if (this.withRows) while (this.late?.materializeChunk());
    this.tx = prepareTransactions(db, this.stmt);
    this.replays = new ReplayRows(db);
    this.openCounter = options.openCounter ?? new Int32Array(new SharedArrayBuffer(4));
    if (!options.openCounter) this.recountOpen();
  }

  /** Whether the database is still open (writes after `close` are dropped by their callers). */
  get isOpen(): boolean {
    return this.db.open;
  }

  /** Deliveries pending, in flight or waiting for a retry. */
  get openDeliveries(): number {
    return Atomics.load(this.openCounter, 0);
  }

  /** Sets the open count from the table (after the delivery thread died with outcomes not yet committed). */
  recountOpen(): void {
    Atomics.store(this.openCounter, 0, this.countOpenDeliveries());
  }

  private addOpen(n: number): void {
    Atomics.add(this.openCounter, 0, n);
  }

  /**
   * Archives events with the routes they matched, all or nothing, and sets their `seq`; returns the last one.
   * Their delivery rows are written now, or later with `deliveryRows: "late"`.
   */
  insertEvents(events: readonly NewEvent[], within?: (seq: number) => void): number {
    // Immediate: with a second writer (the delivery thread) a deferred transaction could fail on upgrade.
    const rows = this.writer;
    let seq: number;
    if (!this.withRows) {
      seq = this.tx.insert.immediate(events, false, within);
      rows.inserted(seq);
    } else {
      const advance = rows.behind
        ? within
        : (last: number) => {
            rows.insertedWithRows(last);
            within?.(last);
          };
      try {
        seq = this.tx.insert.immediate(events, true, advance);
      } catch (err) {
        rows.reload();
        throw err;
      }
    }
    let n = 0;
    for (const e of events) n += e.routeKeys.length;
    this.addOpen(n);
    return seq;
  }

  /**
   * Up to `limit` deliveries due at `now`, skipping those whose key (`deliveryKey`) is in `skip` (in flight),
   * with one more attempt counted on the returned rows (written with the attempt's outcome). New deliveries of
   * events after `maxSeq` are left out: the delivery thread gets those in a message, and reading them here too
   * would run them twice. Retries are always included.
   */
  dueDeliveries(
    now: number,
    limit: number,
    skip: ReadonlySet<string>,
    maxSeq = Number.MAX_SAFE_INTEGER,
  ): ClaimedDelivery[] {
    const extra = skip.size + this.pendingDone.size + (this.remote?.size ?? 0);
    for (;;) {
      const rows = this.stmt.due.all(now, maxSeq, limit + extra) as ClaimedDelivery[];
      const out: ClaimedDelivery[] = [];
      for (const r of rows) {
        const key = deliveryKey(r.event_id, r.route_key);
        if (skip.has(key) || this.pendingDone.has(key) || this.remote?.has(key)) continue;
        r.attempts += 1;
        r.first_attempt_at ??= now;
        r.last_attempt_at = now;
        r.status = "in_flight";
        out.push(r);
        if (out.length === limit) break;
      }
      // Events whose rows are not written yet are due too: write the next chunk and look again.
      if (out.length === limit || !this.late?.materializeChunk()) return out;
    }
  }

  /**
   * Records a delivery's result. Group commit: results and idempotency entries written in the same event-loop
   * turn share one transaction at the end of it. A crash before that re-delivers the event (at least once);
   * `getIdempotent` already sees the result.
   */
  markDone(d: ClaimedDelivery, result: unknown, now: number): void {
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
    this.needRows(d);
    this.addOpen(-1);
    this.scheduleFlush();
  }

  /** The delivery's row must exist before its outcome is written (in that write's transaction). */
  private needRows(d: ClaimedDelivery): void {
    if (d.seq !== undefined && d.seq > this.materializeTo) this.materializeTo = d.seq;
  }

  /** The attempt that started at `d.last_attempt_at` failed at `now`; the next one is due at `nextAt`. */
  markRetry(d: ClaimedDelivery, nextAt: number, error: string, now: number): void {
    const { attempts, first_attempt_at: first, last_attempt_at: last } = d;
    const write: RetryWrite = [nextAt, error, attempts, first, last, d.event_id, d.route_key, now];
    if (!this.remote) return this.writeNow(d, () => writeRetry(this.stmt, write));
    this.remote.addRetry(deliveryKey(d.event_id, d.route_key), write);
    this.scheduleFlush();
  }

  /**
   * Dead-letters a delivery whose attempt started at `d.last_attempt_at` failed at `now`: its row (and DLQ
   * entry) show `now` as the last attempt; the attempt history keeps its start.
   */
  markDead(d: ClaimedDelivery, error: string, now: number): void {
    const first = d.first_attempt_at ?? now;
    const started = d.last_attempt_at;
    const write: DeadWrite = [error, now, d.attempts, first, now, d.event_id, d.route_key, started];
    this.addOpen(-1);
    if (!this.remote) return this.writeNow(d, () => writeDead(this.stmt, write));
    this.remote.addDead(deliveryKey(d.event_id, d.route_key), write);
    this.scheduleFlush();
  }

  /** Writes an outcome now, on this connection, with the delivery's row first (delivery-rows.ts). */
  private writeNow(d: ClaimedDelivery, write: () => void): void {
    const rows = this.writer;
    rows.transaction(() => {
      rows.materialize(d.seq ?? 0);
      write();
    });
  }

  /** The row bookkeeping of a Store that writes (every Store but the delivery thread's reader). */
  private get writer(): DeliveryRows {
    if (!this.late) throw new Error("the delivery thread's Store writes through the main thread");
    return this.late;
  }

  /** Commits a batch of the delivery thread's writes in one transaction (the main thread's Store). */
  applyWrites(batch: WriteBatch): void {
    this.tx.apply.immediate(batch);
  }

  /** The delivery thread's Store: the main thread committed batch `id` (and every earlier one). */
  confirm(id: number): void {
    this.remote?.confirm(id);
  }

  /** Puts dead-lettered deliveries back in the queue with a fresh retry budget; returns the redriven entries. */
  redrive(ids: readonly number[] | undefined, now: number): DlqRow[] {
    const redrive = this.db.transaction(() => {
      const entries = ids
        ? ids.map((id) => this.stmt.dlqById.get(id) as DlqRow | undefined).filter((r) => r !== undefined)
        : this.openDlq(1_000_000);
      for (const e of entries) {
        this.stmt.markRedriven.run(now, e.id);
        this.addOpen(this.stmt.redriveDelivery.run(now, now, e.event_id, e.route_key).changes);
      }
      return entries;
    });
    return redrive.immediate();
  }

  getIdempotent(key: string): { result: unknown } | undefined {
    const pending = this.pendingIdem.get(key)?.[0] ?? this.remote?.idem(key);
    if (pending) return JSON.parse(pending) as { result: unknown };
    const row = this.stmt.getIdem.get(key) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as { result: unknown }) : undefined;
  }

  /** Stores a processor result for its idempotency key; group-committed like `markDone`. */
  putIdempotent(key: string, result: unknown, now: number): void {
    // The first result for a key wins, here as in the table (INSERT OR IGNORE) and in the port's contract.
    if (this.pendingIdem.has(key)) return;
    this.pendingIdem.set(key, [JSON.stringify({ result }), now]);
    this.scheduleFlush();
  }

  /** Commits the pending results now. */
  flush(): void {
    this.flushScheduled = false;
    const unsent = this.remote?.unsent ?? 0;
    if (this.pendingIdem.size === 0 && this.pendingDone.size === 0 && unsent === 0) return;
    const idem = this.pendingIdem;
    const done = this.pendingDone;
    this.pendingIdem = new Map();
    this.pendingDone = new Map();
    if (this.remote) return this.remote.send(idem, done);
    const to = this.materializeTo;
    try {
      this.tx.flush.immediate(idem, done, () => this.late?.materialize(to));
    } catch (err) {
      this.late?.reload();
      throw err;
    }
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
