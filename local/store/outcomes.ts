/**
 * The Store's writes of attempt outcomes. Results and idempotency entries are group-committed per event-loop
 * turn; retries and dead letters are written at once, each with the delivery's row first (delivery-rows.ts).
 * What the file refuses is kept (unwritten.ts), its delivery never handed out meanwhile, until the monitor finds
 * the file writable again. The redrive of dead letters, the one write that reopens deliveries, is here too.
 */
import type Database from "better-sqlite3";
import type { StatusCounts } from "./counts";
import type { DeliveryRows } from "./delivery-rows";
import { isSqliteError } from "./faults";
import type { StorageMonitor } from "./monitor";
import { deliveryKey, type ClaimedDelivery, type DeadWrite, type DlqRow, type RetryWrite } from "./rows";
import type { Statements } from "./statements";
import { UnwrittenOutcomes } from "./unwritten";
import { writeDead, writeRetry, type prepareTransactions } from "./writes";

/** What the outcome writes need of their Store. */
export interface OutcomeHost {
  db: Database.Database;
  stmt: Statements;
  tx: ReturnType<typeof prepareTransactions>;
  /** The delivery rows of events committed without them (`late` mode or not). */
  late: DeliveryRows;
  /** The Store's watch over its file (set once the Store is built). */
  monitor(): StorageMonitor | undefined;
  counts: StatusCounts;
  /** Moves the Store's count of open deliveries. */
  addOpen(n: number): void;
  /** Throws a `StorageFault` while the file is gone. */
  checkWritable(): void;
  /** A write the file refused, as callers get it (`StorageFault`). */
  refused(err: unknown): unknown;
  /** Open DLQ entries, oldest first. */
  openDlq(limit: number): DlqRow[];
}

/** Open DLQ entries read at once by a redrive of them all. */
const REDRIVE_CHUNK = 5000;

/** What a redrive did: how many entries, and the first of them (as many as asked). */
export interface Redriven {
  count: number;
  entries: DlqRow[];
}

export class OutcomeWriter {
  /** Results waiting for the group commit, and outcomes the file refused. */
  readonly held: UnwrittenOutcomes;
  private flushScheduled = false;

  constructor(
    private readonly host: OutcomeHost,
    maxResultBytes: number,
  ) {
    this.held = new UnwrittenOutcomes(maxResultBytes);
  }

  /**
   * Records a delivery's result. Group commit: results and idempotency entries written in the same event-loop
   * turn share one transaction at the end of it. A crash before that re-delivers the event (at least once);
   * `getIdempotent` already sees the result.
   */
  markDone(d: ClaimedDelivery, result: unknown, now: number): void {
    const { attempts, first_attempt_at: first, last_attempt_at: last } = d;
    this.held.putDone(deliveryKey(d.event_id, d.route_key), d.seq, result, [
      now,
      attempts,
      first ?? now,
      last ?? now,
      d.event_id,
      d.route_key,
    ]);
    this.host.addOpen(-1);
    this.host.counts.markedDone(d);
    this.scheduleFlush();
  }

  /** The attempt that started at `d.last_attempt_at` failed at `now`; the next one is due at `nextAt`. */
  markRetry(d: ClaimedDelivery, nextAt: number, error: string, now: number): void {
    const { attempts, first_attempt_at: first, last_attempt_at: last } = d;
    const write: RetryWrite = [nextAt, error, attempts, first, last, d.event_id, d.route_key, now];
    this.host.counts.markedRetry(d);
    this.writeNow(d, () => writeRetry(this.host.stmt, write));
  }

  /**
   * Dead-letters a delivery whose attempt started at `d.last_attempt_at` failed at `now`: its row (and DLQ
   * entry) show `now` as the last attempt; the attempt history keeps its start.
   */
  markDead(d: ClaimedDelivery, error: string, now: number): void {
    const first = d.first_attempt_at ?? now;
    const started = d.last_attempt_at;
    const write: DeadWrite = [error, now, d.attempts, first, now, d.event_id, d.route_key, started];
    this.host.addOpen(-1);
    this.host.counts.markedDead(d);
    this.writeNow(d, () => writeDead(this.host.stmt, write));
  }

  /**
   * Writes an outcome now, on this connection, with the delivery's row first (delivery-rows.ts); if the file
   * refuses it, keeps it for the monitor to write later (the delivery is not handed out meanwhile).
   */
  private writeNow(d: ClaimedDelivery, write: () => void): void {
    const key = deliveryKey(d.event_id, d.route_key);
    const seq = d.seq ?? 0;
    const monitor = this.host.monitor();
    if (monitor?.faulted && monitor.retrying) {
      this.held.defer(key, seq, write);
      return;
    }
    try {
      this.writeOutcome(seq, write);
      monitor?.succeeded();
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      this.held.defer(key, seq, write);
      monitor?.failed(err);
    }
  }

  private writeOutcome(seq: number, write: () => void): void {
    const rows = this.host.late;
    rows.transaction(() => {
      rows.materialize(seq);
      write();
    });
  }

  /**
   * Puts dead-lettered deliveries back in the queue with a fresh retry budget, in one transaction: the given
   * entries, or every open one (read `REDRIVE_CHUNK` at a time, so memory stays bounded however many there are).
   * Returns how many it redrove and the first `keep` of them.
   */
  redrive(ids: readonly number[] | undefined, now: number, keep: number): Redriven {
    this.host.checkWritable();
    const { stmt } = this.host;
    const redrive = this.host.db.transaction(() => {
      const out: Redriven = { count: 0, entries: [] };
      let reopened = 0;
      const take = (e: DlqRow) => {
        stmt.markRedriven.run(now, e.id);
        reopened += stmt.redriveDelivery.run(now, now, e.event_id, e.route_key).changes;
        out.count += 1;
        if (out.entries.length < keep) out.entries.push({ ...e, redriven_at: now });
      };
      if (ids) {
        for (const id of ids) {
          const e = stmt.dlqById.get(id) as DlqRow | undefined;
          if (e) take(e);
        }
      } else {
        // Each chunk is marked redriven before the next is read, so the next starts after it.
        for (
          let chunk = this.host.openDlq(REDRIVE_CHUNK);
          chunk.length > 0;
          chunk = this.host.openDlq(REDRIVE_CHUNK)
        )
          chunk.forEach(take);
      }
      return { out, reopened };
    });
    try {
      const { out, reopened } = redrive.immediate();
      // Counted once the transaction committed: a refused one changed nothing.
      this.host.addOpen(reopened);
      this.host.counts.redriven(reopened);
      return out;
    } catch (err) {
      throw this.host.refused(err);
    }
  }

  /** The result stored for an idempotency key, including one not committed yet. */
  getIdempotent(key: string): { result: unknown } | undefined {
    const pending = this.held.resultText(key);
    if (pending) return JSON.parse(pending) as { result: unknown };
    const row = this.host.stmt.getIdem.get(key) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as { result: unknown }) : undefined;
  }

  /** Stores a processor result for its idempotency key; group-committed like `markDone`. */
  putIdempotent(key: string, result: unknown, now: number): void {
    if (this.held.putResult(key, result, now)) this.scheduleFlush();
  }

  /**
   * Commits the pending results now. If the file refuses them they stay pending (never handed out as due) and
   * are written by the monitor once it accepts writes again: this never throws for a storage fault.
   */
  flush(): void {
    this.flushScheduled = false;
    this.held.newTurn();
    if (!this.held.pendingResults) return;
    // While a fault lasts, the monitor writes everything kept, in order.
    const monitor = this.host.monitor();
    if (monitor?.faulted && monitor.retrying) return;
    try {
      this.flushPending();
      monitor?.succeeded();
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      monitor?.failed(err);
    }
  }

  /** Writes the pending results in one transaction; on failure they stay pending and the error is thrown. */
  private flushPending(): void {
    try {
      this.held.commitResults(
        (idem, done, before) => this.host.tx.flush.immediate(idem, done, before),
        (to) => this.host.late.materialize(to),
      );
    } catch (err) {
      this.host.late.reload();
      throw err;
    }
  }

  /** Everything kept unwritten, in the order it was made: retries and dead letters, then results. */
  writeUnwritten(): void {
    this.held.writeDeferred((seq, write) => this.writeOutcome(seq, write));
    this.flushPending();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      if (this.host.db.open) this.flush();
    });
  }
}
