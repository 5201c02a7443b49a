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
 * Storage faults (monitor.ts) are states, never uncaught errors: a refused event insert throws a
 * `StorageFault` (answered 503), and an outcome, retry or dead letter that cannot be
 * written is kept in memory, its delivery never handed out meanwhile, and written once the file accepts writes.
 * While a fault lasts, no due work is handed out (delivery pauses). A writer Store holds its file's lock
 * (lock.ts) and checks it with `PRAGMA quick_check` at open (open.ts). The outcomes' writes are outcomes.ts, and
 * claiming due deliveries is claims.ts.
 */
import { Checkpointer } from "./checkpointer";
import { claimDue } from "./claims";
import { StatusCounts, type RecordedCounts } from "./counts";
import type { DeliveryRows } from "./delivery-rows";
import { faultKind, isSqliteError, StorageFault, type StorageHealth } from "./faults";
import type { DatabaseLock } from "./lock";
import { PAUSED, StorageMonitor } from "./monitor";
import { ReplayRows } from "./replays";
import { StoreReads } from "./reads";
import { openStoreFile } from "./open";
import { onceAMinute, type StoreOptions } from "./options";
import { OutcomeWriter, type Redriven } from "./outcomes";
import type { ClaimedDelivery, NewEvent } from "./rows";
import { prepareStatements } from "./statements";
import { prepareTransactions } from "./writes";

/** Prepared statements over one database file. Synchronous on purpose: each call is one atomic step. */
export class Store extends StoreReads {
  /**
   * Shared memory: [0] deliveries not yet done or dead-lettered, kept in memory so the backlog bound costs nothing
   * per request (the processor workers read it to throttle PutEvents as the main thread does); [1] set while a
   * storage fault lasts (monitor.ts).
   */
  readonly openCounter: Int32Array;
  private readonly tx: ReturnType<typeof prepareTransactions>;
  /** The replays table and the archive reads of replays. */
  readonly replays: ReplayRows;
  /** Outcomes, idempotency results and redrives (outcomes.ts). */
  private readonly outcomes: OutcomeWriter;

  private readonly checkpointer: Checkpointer | undefined;
  /** Writes the delivery rows of events committed without them. */
  private readonly late: DeliveryRows;
  /** Write delivery rows with the event (`deliveryRows: "with-event"`). */
  private readonly withRows: boolean;
  /** The Store's watch over its file. */
  private readonly monitor: StorageMonitor | undefined;
  private readonly lock: DatabaseLock | undefined;
  /** What health reports, kept as writes are recorded (counts.ts). */
  private readonly counts: StatusCounts;

  constructor(file: string, options: StoreOptions) {
    const { db, absolute, checkpoints, lock, late } = openStoreFile(file, options);
    super(db, prepareStatements(db), late);
    this.lock = lock;
    this.late = late;
    this.withRows = options.deliveryRows === "with-event";
    this.tx = prepareTransactions(db, this.stmt);
    this.replays = new ReplayRows(db);
    this.openCounter = new Int32Array(new SharedArrayBuffer(8));
    this.recountOpen();
    this.counts = new StatusCounts(this.countEvents(), this.countsByStatus());
    this.outcomes = new OutcomeWriter(
      {
        db,
        stmt: this.stmt,
        tx: this.tx,
        late,
        monitor: () => this.monitor,
        counts: this.counts,
        addOpen: (n) => this.addOpen(n),
        checkWritable: () => this.checkWritable(),
        refused: (err) => this.refused(err),
        openDlq: (limit) => this.openDlq(limit),
      },
      options.maxResultBytes,
    );
    if (checkpoints && absolute) {
      this.checkpointer = new Checkpointer(
        absolute,
        options.checkpointIntervalMs,
        onceAMinute(options.onError),
      );
    }
    this.monitor = new StorageMonitor(absolute, this.openCounter, options.storageCheckMs, {
      writeUnwritten: () => this.outcomes.writeUnwritten(),
      unwritten: () => this.unwritten,
      probe: (bytes) => this.tx.probe.immediate(bytes),
      onGone: () => this.checkpointIntoOpenFile(),
      onChange: options.onHealth,
    });
  }

  /** Events and deliveries by status as recorded, in O(1) (`/local/health`); `countsByStatus` reads the table. */
  recordedCounts(): RecordedCounts {
    return this.counts.snapshot(this.openDeliveries);
  }

  /** Whether the database is still open (writes after `close` are dropped by their callers). */
  get isOpen(): boolean {
    return this.db.open;
  }

  /** Deliveries pending, in flight or waiting for a retry. */
  get openDeliveries(): number {
    return Atomics.load(this.openCounter, 0);
  }

  /** Sets the open count from the table. */
  recountOpen(): void {
    try {
      Atomics.store(this.openCounter, 0, this.countOpenDeliveries());
    } catch (err) {
      // An unreadable file keeps the count it had; the fault shows in health.
      if (!isSqliteError(err)) throw err;
      this.monitor?.failed(err);
    }
  }

  /** The storage state (`/local/health`): ok, or the fault that stops writes and what it keeps unwritten. */
  health(): StorageHealth {
    return this.monitor?.health() ?? { ok: true, state: "ok", unwritten: this.unwritten };
  }

  /** Writes kept in memory: waiting for the group commit, or for the file to accept writes again. */
  get unwritten(): number {
    return this.outcomes.held.size;
  }

  /** Like `StoreReads.nextDueAt`; a failed read is a fault (the monitor's recovery wakes delivery again). */
  override nextDueAt(after: number): number | undefined {
    try {
      return super.nextDueAt(after);
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      this.monitor?.failed(err);
      return undefined;
    }
  }

  /** A storage fault is on: no due work is handed out. */
  private get paused(): boolean {
    return Atomics.load(this.openCounter, PAUSED) === 1;
  }

  private addOpen(n: number): void {
    Atomics.add(this.openCounter, 0, n);
  }

  /**
   * Archives events with the routes they matched, all or nothing, and sets their `seq`; returns the last one.
   * Their delivery rows are written now, or later with `deliveryRows: "late"`.
   */
  insertEvents(events: readonly NewEvent[], within?: (seq: number) => void): number {
    // Immediate: with a second writer a deferred transaction could fail on upgrade.
    const rows = this.late;
    const monitor = this.monitor;
    this.checkWritable();
    let seq: number;
    try {
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
        seq = this.tx.insert.immediate(events, true, advance);
      }
    } catch (err) {
      if (this.withRows) rows.reload();
      let bytes = 0;
      for (const e of events) bytes += e.envelope.length;
      throw this.refused(err, bytes);
    }
    monitor?.succeeded();
    let n = 0;
    for (const e of events) n += e.routeKeys.length;
    this.addOpen(n);
    this.counts.inserted(events.length);
    return seq;
  }

  /**
   * Up to `limit` deliveries due at `now`, skipping those whose key (`deliveryKey`) is in `skip` (in flight),
   * with one more attempt counted on the returned rows (written with the attempt's outcome). New deliveries of
   * events after `maxSeq` are left out (the loop has them in memory already). Retries are always included.
   */
  dueDeliveries(
    now: number,
    limit: number,
    skip: ReadonlySet<string>,
    maxSeq = Number.MAX_SAFE_INTEGER,
  ): ClaimedDelivery[] {
    // Outcomes could not be written: running more processors would only pile up what waits in memory.
    if (this.paused) return [];
    try {
      return claimDue(
        { due: this.stmt.due, held: this.outcomes.held, late: this.late },
        { now, limit, skip, maxSeq },
      );
    } catch (err) {
      // Materializing rows is a write; a failed read is reported the same way. Nothing is claimed then.
      if (!isSqliteError(err)) throw err;
      this.monitor?.failed(err);
      return [];
    }
  }

  /** Records a delivery's result, group-committed at the end of the event-loop turn (outcomes.ts). */
  markDone(d: ClaimedDelivery, result: unknown, now: number): void {
    this.outcomes.markDone(d, result, now);
  }

  /** The attempt that started at `d.last_attempt_at` failed at `now`; the next one is due at `nextAt`. */
  markRetry(d: ClaimedDelivery, nextAt: number, error: string, now: number): void {
    this.outcomes.markRetry(d, nextAt, error, now);
  }

  /** Dead-letters a delivery whose attempt started at `d.last_attempt_at` failed at `now` (outcomes.ts). */
  markDead(d: ClaimedDelivery, error: string, now: number): void {
    this.outcomes.markDead(d, error, now);
  }

  /** Puts dead-lettered deliveries back in the queue with a fresh retry budget (outcomes.ts); the first `keep`. */
  redrive(ids: readonly number[] | undefined, now: number, keep = Number.MAX_SAFE_INTEGER): Redriven {
    return this.outcomes.redrive(ids, now, keep);
  }

  /** The result stored for an idempotency key, including one not committed yet. */
  getIdempotent(key: string): { result: unknown } | undefined {
    return this.outcomes.getIdempotent(key);
  }

  /** Stores a processor result for its idempotency key; group-committed like `markDone`. */
  putIdempotent(key: string, result: unknown, now: number): void {
    this.outcomes.putIdempotent(key, result, now);
  }

  /** Commits the pending results now; never throws for a storage fault (they stay pending). */
  flush(): void {
    this.outcomes.flush();
  }

  /** The file is gone: nothing can be committed (answered 503). */
  private checkWritable(): void {
    const monitor = this.monitor;
    if (monitor && !monitor.writable)
      throw new StorageFault("gone", monitor.message ?? "the database is gone");
  }

  /** A write the file refused: the fault is recorded, and callers get a `StorageFault` (answered 503). */
  private refused(err: unknown, bytes?: number): unknown {
    if (!isSqliteError(err)) return err;
    this.monitor?.failed(err, bytes);
    return new StorageFault(faultKind(err), this.monitor?.message ?? err.message);
  }

  /**
   * The file was deleted or replaced: its WAL is folded into the (still open) file, so a copy of the open file
   * holds everything acknowledged.
   */
  private checkpointIntoOpenFile(): void {
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // Best effort: the fault is reported either way.
    }
  }

  /**
   * Commits pending results, stops the checkpoint thread and closes the database. Writes the file still refuses
   * are dropped: their deliveries are still open on disk, so the next start makes them again (at least once).
   */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.monitor?.stop();
    if (this.monitor?.faulted && this.monitor.writable) this.monitor.check();
    this.flush();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
    this.lock?.release();
  }
}
