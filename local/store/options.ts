/** A `Store`'s settings, and how it reports what recurs. */
import type { StorageHealth } from "./faults";

/** How a `Store` opens its file and writes (the settings come from `local/options/`; nothing defaults here). */
export interface StoreOptions {
  /** `NORMAL` survives a process crash; `FULL` also an OS crash or power loss. */
  synchronous: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms; 0 leaves them to SQLite, in commits. */
  checkpointIntervalMs: number;
  /**
   * `late`: an event's delivery rows are written after its commit, not in it (delivery-rows.ts; what the app
   * does). `with-event`: in the same transaction (and any rows a `late` run left unwritten are written at open).
   */
  deliveryRows: "late" | "with-event";
  /** A stored processor result (delivery row and idempotency table) over this many bytes is truncated (results.ts). */
  maxResultBytes: number;
  /**
   * A writer Store checks its file (deleted, replaced) and retries what it could not write every this many ms
   * (monitor.ts). Absent or 0: no timer, and unwritten writes are retried with the next write.
   */
  storageCheckMs?: number;
  /** Hold the file's lock (lock.ts): a second server on the same file is refused. The server's Store does. */
  lock?: boolean;
  /** Told about checkpoint failures (each distinct message once a minute at most). */
  onError?: (message: string) => void;
  /** Told when the storage state changes (a fault begins or changes, or ends: delivery may resume then). */
  onHealth?: (health: StorageHealth) => void;
}

/**
 * `report`, called at most once a minute per distinct message (a failing checkpoint fails every 200 ms). The
 * minute is on a monotonic clock (`clock`, ms): a wall clock stepped back an hour would silence it for that hour.
 */
export function onceAMinute(
  report: ((message: string) => void) | undefined,
  clock: () => number = () => performance.now(),
): (message: string) => void {
  const last = new Map<string, number>();
  return (message) => {
    const now = clock();
    if ((last.get(message) ?? -Infinity) > now - 60_000) return;
    if (last.size > 100) last.clear();
    last.set(message, now);
    report?.(message);
  };
}
