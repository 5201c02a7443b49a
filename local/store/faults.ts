/**
 * What can go wrong with the database file, as the store reports it: at open, a refusal that names the file and
 * what to do (`StoreOpenError`); while running, a state (`StorageHealth`) and an error callers answer with 503
 * (`StorageFault`), never an uncaught SQLite error. Plain classes: the HTTP edge and EventBridge's API map them to
 * their protocols.
 */

/** Why writes fail: the disk (or `max_page_count`) is full, the file is gone or replaced, or another I/O error. */
export type FaultKind = "full" | "gone" | "io";

/** The store's state, as `/local/health` shows it. */
export interface StorageHealth {
  ok: boolean;
  state: "ok" | FaultKind;
  /** What failed, naming the file. */
  message?: string;
  /** ISO time the fault began. */
  since?: string;
  /** Writes kept in memory until the file accepts them again (outcomes, retries, dead letters). */
  unwritten: number;
}

/** Seconds a client is asked to wait (`Retry-After`) while the store cannot write. */
export const STORAGE_RETRY_AFTER_SECONDS = 1;

/** The store cannot write now: answered 503 with `Retry-After`; nothing was committed. */
export class StorageFault extends Error {
  override readonly name = "StorageFault";
  readonly retryAfterSeconds = STORAGE_RETRY_AFTER_SECONDS;
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
  }
}

/** The database cannot be opened: corrupt, held by another server, or not writable. `message` is one line. */
export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";
}

/** better-sqlite3's error (its class is not exported as a type guard): a `code` starting with `SQLITE_`. */
export function isSqliteError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof Error && typeof code === "string" && code.startsWith("SQLITE_");
}

/** The kind of a write failure. */
export function faultKind(err: unknown): FaultKind {
  const code = (err as { code?: unknown })?.code;
  if (code === "SQLITE_FULL" || code === "ENOSPC") return "full";
  if (code === "SQLITE_READONLY_DBMOVED" || code === "ENOENT") return "gone";
  return "io";
}

/** A one-line description of a write failure of `file`. */
export function faultMessage(kind: FaultKind, file: string, err?: unknown): string {
  const cause = err instanceof Error ? err.message : undefined;
  switch (kind) {
    case "full":
      return `${file}: the disk is full (${cause ?? "database or disk is full"}); new events get 503 until space returns`;
    case "gone":
      return `${file}: ${cause ?? "the database file is gone"}`;
    case "io":
      return `${file}: writing failed (${cause ?? "unknown error"}); new events get 503 until a write succeeds`;
  }
}
