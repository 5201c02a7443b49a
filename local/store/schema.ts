/**
 * The local bus's SQLite schema, its migration from earlier versions, and opening a database file with the
 * store's settings.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { StoreOpenError } from "./faults";

/** How `openDatabase` opens a file. */
export interface OpenOptions {
  /** `NORMAL` survives a process crash; `FULL` also an OS crash or power loss. */
  synchronous: "NORMAL" | "FULL";
  /** A checkpoint thread runs beside this connection, so SQLite's own checkpoint only stays as a backstop. */
  checkpointsOnThread: boolean;
  /** Bring an older database up to date. */
  migrate: boolean;
  /** Run `PRAGMA quick_check` before anything else (the writer does, once per start). */
  check: boolean;
}

/*
 * No AUTOINCREMENT: it rewrites the sqlite_sequence row in every commit (one more WAL page per group commit,
 * measured ~15% of the insert cost). Rows are never deleted, so a plain rowid is still max + 1: `seq` stays
 * in commit order. Event ids are UUIDv7 (bus.ts), so the `id` index and the deliveries' primary key append at
 * their right edge instead of dirtying a random page per event (measured 36 -> 9 µs per event).
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  detail_type TEXT NOT NULL,
  source TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  replay_of TEXT,
  replay_name TEXT,
  routes TEXT,
  correlation_id TEXT,
  cause_event TEXT,
  cause_route TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
  event_id TEXT NOT NULL,
  route_key TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  first_attempt_at INTEGER,
  last_attempt_at INTEGER,
  last_error TEXT,
  result TEXT,
  done_at INTEGER,
  PRIMARY KEY (event_id, route_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dlq (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  route_key TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  first_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,
  redriven_at INTEGER
);
CREATE TABLE IF NOT EXISTS materialized (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS probe (
  pad BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  stored_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attempts (
  event_id TEXT NOT NULL,
  route_key TEXT NOT NULL,
  ended_at INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  started_at INTEGER,
  outcome TEXT NOT NULL,
  error TEXT,
  PRIMARY KEY (event_id, route_key, ended_at, attempt)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replays (
  name TEXT PRIMARY KEY,
  description TEXT,
  state TEXT NOT NULL,
  state_reason TEXT,
  event_source_arn TEXT NOT NULL,
  destination TEXT NOT NULL,
  route_keys TEXT,
  event_start INTEGER NOT NULL,
  event_end INTEGER NOT NULL,
  cursor INTEGER NOT NULL,
  end_seq INTEGER NOT NULL,
  total INTEGER,
  replayed INTEGER NOT NULL DEFAULT 0,
  last_replayed_at INTEGER,
  started_at INTEGER NOT NULL,
  ended_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/**
 * Indexes, created after `migrate` (some are on columns an older database gets there). The partial ones cost
 * nothing for most events: only follow-ups (`cause_event`) and replays (`replay_of`) have entries. `attempts` is
 * keyed by event (one b-tree, no index). Measured per failed attempt (markRetry, own transaction): 31 µs
 * without the history, 46 µs with a rowid table and an index, 36 µs like this.
 */
export const INDEXES = `
CREATE INDEX IF NOT EXISTS events_accepted_at ON events (accepted_at);
CREATE INDEX IF NOT EXISTS events_cause ON events (cause_event) WHERE cause_event IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_replay_of ON events (replay_of) WHERE replay_of IS NOT NULL;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX IF NOT EXISTS dlq_open ON dlq (id) WHERE redriven_at IS NULL;
`;

/** Columns later versions added to `events`, in order: an older database gets them (NULL for its events). */
const ADDED_EVENT_COLUMNS = ["routes", "correlation_id", "cause_event", "cause_route"];

/**
 * Brings a database of an earlier version up to `SCHEMA`: the columns of `ADDED_EVENT_COLUMNS` are added (an
 * old event has no correlation id of its own, so its id stands for it, as for any event without one); every
 * existing event counts as having its delivery rows (earlier versions wrote them with the event); the
 * database's creation time is recorded (the control plane's `CreationTime`).
 */
export function migrate(db: Database.Database, now = Date.now()): void {
  const columns = new Set(
    (db.prepare(`PRAGMA table_info(events)`).all() as { name: string }[]).map((c) => c.name),
  );
  for (const column of ADDED_EVENT_COLUMNS) {
    if (!columns.has(column)) db.exec(`ALTER TABLE events ADD COLUMN ${column} TEXT`);
  }
  db.prepare(
    `INSERT OR IGNORE INTO materialized (id, seq) SELECT 1, coalesce(max(seq), 0) FROM events`,
  ).run();
  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?)`).run(String(now));
}

/**
 * Opens (or creates, or brings up to date) the database file with the store's settings. Every failure is a
 * `StoreOpenError` whose one-line message names the file and what to do: a folder that cannot be created or
 * written, a file that is not a database or fails `PRAGMA quick_check` (with `check`), a read-only file.
 */
export function openDatabase(file: string, options: OpenOptions): Database.Database {
  const inMemory = file === ":memory:";
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous}`);
    // With the checkpoint thread, SQLite's own checkpoint stays as a backstop, far above what the thread lets
    // the WAL reach.
    if (!inMemory && options.checkpointsOnThread) {
      db.pragma("wal_autocheckpoint = 20000");
    }
    db.pragma("busy_timeout = 5000");
    if (options.check && !inMemory) checkIntegrity(db, file);
    db.exec(SCHEMA);
    if (options.migrate) {
      migrate(db);
      db.exec(INDEXES);
    }
    return db;
  } catch (err) {
    if (db?.open) db.close();
    throw err instanceof StoreOpenError ? err : openError(file, err);
  }
}

/**
 * `PRAGMA quick_check`: every page and index entry is read once, O(size) (measured: 112 ms for a 94 MB
 * database, warm cache), so a damaged file is refused at start rather than failing some later read or write.
 */
function checkIntegrity(db: Database.Database, file: string): void {
  const rows = db.pragma("quick_check(3)") as { quick_check: string }[];
  const problems = rows
    .map((r) => r.quick_check)
    .filter((p) => p !== "ok")
    .flatMap((p) => p.split("\n"))
    .map((p) => p.trim())
    .filter((p) => p !== "" && !p.startsWith("***"));
  // One line: `npm start` prints the refusal as is.
  if (problems.length > 0) throw corrupt(file, `quick_check: ${problems.slice(0, 3).join("; ")}`);
}

/**
 * The folder of `file` exists (created if need be) and this process may create files in it (the database, its
 * -wal, -shm and lock files), else a `StoreOpenError` saying so.
 */
export function prepareFolder(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreOpenError(`cannot create the folder ${dir} for ${file}: ${(err as Error).message}`);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw notWritable(dir, file);
  }
}

export function notWritable(dir: string, file: string): StoreOpenError {
  return new StoreOpenError(
    `the folder ${dir} is not writable, and ${path.basename(file)} needs it for itself and its -wal and -shm files; ` +
      `choose another place (BACKBONE_DB or --db) or make it writable`,
  );
}

function corrupt(file: string, why: string): StoreOpenError {
  return new StoreOpenError(
    `${file} is damaged (${why}); the server will not start on it. Move it and its -wal and -shm files aside to ` +
      `start with an empty database, or recover what it holds: sqlite3 ${file} .recover | sqlite3 recovered.db`,
  );
}

function openError(file: string, err: unknown): StoreOpenError {
  const code = (err as { code?: string }).code ?? "";
  const message = (err as Error).message;
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return corrupt(file, message);
  if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_CANTOPEN" || code === "SQLITE_PERM") {
    return new StoreOpenError(
      `cannot write ${file} (${message}): this user needs write access to it and to its folder; ` +
        `choose another place (BACKBONE_DB or --db) or fix the permissions`,
    );
  }
  if (code === "SQLITE_FULL") return new StoreOpenError(`cannot open ${file}: the disk is full (${message})`);
  if (code === "SQLITE_BUSY") {
    return new StoreOpenError(
      `${file} is locked by another process (${message}); stop it or use another file`,
    );
  }
  return new StoreOpenError(`cannot open ${file}: ${message}`);
}
