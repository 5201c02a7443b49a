/**
 * The Store's writes that are not on disk yet: results and idempotency entries waiting for the turn's group
 * commit, and retries and dead letters the file refused (kept until it accepts writes again). A delivery with
 * an outcome here is never handed out as due: on disk it still looks open.
 */
import type { DoneWrite } from "./rows";
import { resultJson } from "./results";

/** A retry or dead letter kept for later: its event's `seq` (its delivery row first) and the write itself. */
interface Deferred {
  seq: number;
  write: () => void;
}

/** The group commit's one transaction: the idempotency entries and outcomes, after `before` (the rows). */
export type CommitResults = (
  idem: Map<string, [string, number]>,
  done: Map<string, DoneWrite>,
  before: () => void,
) => void;

/** Outcomes and results held in memory, by `deliveryKey` and idempotency key. */
export class UnwrittenOutcomes {
  private idem = new Map<string, [string, number]>();
  private done = new Map<string, DoneWrite>();
  private readonly deferred = new Map<string, Deferred>();
  /** Highest event `seq` an outcome waiting for the group commit belongs to (its rows must exist first). */
  private materializeTo = 0;
  /** The last result serialized by `putResult`, reused by `putDone` (cleared at every commit turn). */
  private lastResult: { value: unknown; json: string } | undefined;

  constructor(private readonly maxResultBytes: number) {}

  /** Everything held: what `/local/health` calls unwritten. */
  get size(): number {
    return this.idem.size + this.done.size + this.deferred.size;
  }

  /** Deliveries with an outcome held here, which the due query may still return. */
  get heldDeliveries(): number {
    return this.done.size + this.deferred.size;
  }

  /** Whether the delivery's outcome is held here (so it is not due). */
  holds(key: string): boolean {
    return this.done.has(key) || this.deferred.has(key);
  }

  /** Whether the group commit has anything to write. */
  get pendingResults(): boolean {
    return this.idem.size > 0 || this.done.size > 0;
  }

  /** The idempotency entry held for `key`, as its stored JSON text. */
  resultText(key: string): string | undefined {
    return this.idem.get(key)?.[0];
  }

  /**
   * Holds a processor result for its idempotency key; false if one is held already (the first result wins,
   * here as in the table, INSERT OR IGNORE, and in the port's contract).
   */
  putResult(key: string, result: unknown, now: number): boolean {
    if (this.idem.has(key)) return false;
    const json = resultJson(result, this.maxResultBytes);
    // The delivery's outcome usually follows with the same value: serialize (and cap) it once.
    this.lastResult = { value: result, json };
    this.idem.set(key, [`{"result":${json}}`, now]);
    return true;
  }

  /** Holds a delivery's result for the group commit; `row` is its `DoneWrite` without the result text. */
  putDone(key: string, seq: number | undefined, result: unknown, row: Tail<DoneWrite>): void {
    const cached = this.lastResult;
    const json = cached && cached.value === result ? cached.json : resultJson(result, this.maxResultBytes);
    this.done.set(key, [json, ...row]);
    if (seq !== undefined && seq > this.materializeTo) this.materializeTo = seq;
  }

  /** Holds a retry or dead letter the file refused. */
  defer(key: string, seq: number, write: () => void): void {
    this.deferred.set(key, { seq, write });
  }

  /** A new event-loop turn: the serialized result of the last one is not reused. */
  newTurn(): void {
    this.lastResult = undefined;
  }

  /**
   * Writes the held results in one transaction (`materialize` first writes the delivery rows they need); on
   * failure they stay held and the error is thrown.
   */
  commitResults(commit: CommitResults, materialize: (seq: number) => void): void {
    if (!this.pendingResults) return;
    const to = this.materializeTo;
    commit(this.idem, this.done, () => materialize(to));
    this.idem = new Map();
    this.done = new Map();
  }

  /** Writes each deferred retry and dead letter, in the order they were made, through `write` (its rows first). */
  writeDeferred(write: (seq: number, write: () => void) => void): void {
    for (const [key, d] of this.deferred) {
      write(d.seq, d.write);
      this.deferred.delete(key);
    }
  }
}

/** A tuple without its first member. */
type Tail<T extends readonly unknown[]> = T extends readonly [unknown, ...infer R] ? R : never;
