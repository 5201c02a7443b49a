/**
 * Outcomes of the delivery thread as data. SQLite lets one connection write at a time and its busy handler makes
 * a waiting writer sleep 1, 2, 5 … 100 ms (measured here: with the delivery thread writing on its own
 * connection, both threads slept in it and events waited ~150 ms). So the main thread is the only writer: the
 * delivery thread's Store buffers its writes here and sends them in batches; the main thread commits each batch
 * in one transaction (`applyBatch` in writes.ts) and confirms it.
 */
import type { DeadWrite, DoneWrite, IdemWrite, RetryWrite, WriteBatch } from "./rows";

/**
 * The delivery thread's side: buffers retries and dead letters for the next batch, sends batches, and
 * remembers what is sent but not confirmed, so the Store neither hands those deliveries out as due nor misses
 * those idempotency results meanwhile.
 */
export class RemoteWrites {
  private retry: RetryWrite[] = [];
  private dead: DeadWrite[] = [];
  /** `deliveryKey` → id of the batch that carries its latest write. */
  private readonly unconfirmed = new Map<string, number>();
  private readonly unconfirmedIdem = new Map<string, [result: string, batch: number]>();
  private batchId = 0;

  constructor(private readonly post: (batch: WriteBatch) => void) {}

  /** Deliveries with a write not yet confirmed. */
  get size(): number {
    return this.unconfirmed.size;
  }

  /** Writes waiting for the next batch besides the Store's own done/idempotency maps. */
  get unsent(): number {
    return this.retry.length + this.dead.length;
  }

  has(key: string): boolean {
    return this.unconfirmed.has(key);
  }

  /** A sent, unconfirmed idempotency result (`{result}` JSON). */
  idem(key: string): string | undefined {
    return this.unconfirmedIdem.get(key)?.[0];
  }

  addRetry(key: string, write: RetryWrite): void {
    this.retry.push(write);
    this.unconfirmed.set(key, this.batchId + 1);
  }

  addDead(key: string, write: DeadWrite): void {
    this.dead.push(write);
    this.unconfirmed.set(key, this.batchId + 1);
  }

  /** Sends everything buffered, with the Store's pending idempotency results and done rows, as one batch. */
  send(idem: Map<string, [string, number]>, done: Map<string, DoneWrite>): void {
    const id = ++this.batchId;
    // The first result sent for a key is the one the main thread keeps (INSERT OR IGNORE).
    for (const [key, [result]] of idem)
      if (!this.unconfirmedIdem.has(key)) this.unconfirmedIdem.set(key, [result, id]);
    for (const key of done.keys()) this.unconfirmed.set(key, id);
    const batch: WriteBatch = {
      id,
      idem: [...idem].map(([key, [result, at]]): IdemWrite => [key, result, at]),
      done: [...done.values()],
      retry: this.retry,
      dead: this.dead,
    };
    this.retry = [];
    this.dead = [];
    this.post(batch);
  }

  /** The main thread committed batch `id` (and every earlier one): reads now show it. */
  confirm(id: number): void {
    for (const [key, batch] of this.unconfirmed) if (batch <= id) this.unconfirmed.delete(key);
    for (const [key, [, batch]] of this.unconfirmedIdem) if (batch <= id) this.unconfirmedIdem.delete(key);
  }
}
