/**
 * The local bus's SQLite schema, its row types and the statements over it. `test/bench/lib/probe.ts` reads
 * these tables directly, so renaming a column is a change of contract.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import type { WriteBatch } from "./writes";

/** Options of a `Store` (store.ts). */
export interface StoreOptions {
  /** `NORMAL` (default) survives a process crash; `FULL` also an OS crash or power loss. */
  synchronous?: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms (default 200); 0 leaves them to SQLite, in commits. */
  checkpointIntervalMs?: number;
  /** Told about checkpoint failures. */
  onError?: (message: string) => void;
  /**
   * The open-deliveries counter of another connection to the same file (the delivery thread's Store shares the
   * main one's, so both keep the backlog bound exact); when set, this Store does not count at start.
   */
  openCounter?: Int32Array;
  /**
   * Write an event's delivery rows after its commit, not in it (lazy-deliveries.ts; the in-thread delivery
   * loop). Default: with it (the delivery thread reads them from its own connection).
   */
  lazyDeliveries?: boolean;
  /** Makes this a reading Store that hands its writes to another connection's `applyWrites` (see writes.ts). */
  remote?: (batch: WriteBatch) => void;
}

/**
 * Delivery states. `in_flight` exists only in memory (the delivery loop's); on disk an attempt in progress is
 * still `pending` or `retrying`, so a crashed process's attempts are simply made again after a restart.
 */
export type DeliveryStatus = "pending" | "in_flight" | "retrying" | "done" | "dead";

/** A new event and the routes it matched, written in one transaction. */
export interface NewEvent {
  id: string;
  detailType: string;
  source: string;
  acceptedAt: number;
  envelope: string;
  routeKeys: readonly string[];
  replayOf?: string;
  replayName?: string;
  /** Set by the insert. */
  seq?: number;
}

export interface EventRow {
  seq: number;
  /** Keys of the routes it matched (JSON array) while its delivery rows are not written (lazy-deliveries.ts). */
  routes: string | null;
  id: string;
  detail_type: string;
  source: string;
  accepted_at: number;
  envelope: string;
  replay_of: string | null;
  replay_name: string | null;
}

export interface DeliveryRow {
  event_id: string;
  route_key: string;
  status: DeliveryStatus;
  attempts: number;
  next_at: number;
  window_start: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  last_error: string | null;
  result: string | null;
  done_at: number | null;
}

/** The row of a delivery never attempted: pending since its event was accepted. */
export function pendingRow(eventId: string, routeKey: string, acceptedAt: number): DeliveryRow {
  return {
    event_id: eventId,
    route_key: routeKey,
    status: "pending",
    attempts: 0,
    next_at: acceptedAt,
    window_start: acceptedAt,
    first_attempt_at: null,
    last_attempt_at: null,
    last_error: null,
    result: null,
    done_at: null,
  };
}

/** A claimed delivery with the event it carries. */
export interface ClaimedDelivery extends DeliveryRow {
  envelope: string;
  /** Taken from memory right after its event's commit: never attempted, so no idempotency result exists. */
  fresh?: boolean;
  /** The event's `seq` (whether its delivery rows exist yet: lazy-deliveries.ts). */
  seq?: number;
}

export interface DlqRow {
  id: number;
  event_id: string;
  route_key: string;
  error: string;
  attempts: number;
  first_attempt_at: number;
  last_attempt_at: number;
  dead_at: number;
  redriven_at: number | null;
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
  routes TEXT
);
CREATE INDEX IF NOT EXISTS events_accepted_at ON events (accepted_at);
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
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_at) WHERE status IN ('pending', 'retrying');
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
CREATE INDEX IF NOT EXISTS dlq_open ON dlq (id) WHERE redriven_at IS NULL;
CREATE TABLE IF NOT EXISTS materialized (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  stored_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Brings a database of an earlier version up to `SCHEMA`: `events.routes` is added, and every existing event
 * counts as having its delivery rows (earlier versions wrote them with the event).
 */
export function migrate(db: Database.Database): void {
  const columns = db.prepare(`PRAGMA table_info(events)`).all() as { name: string }[];
  if (!columns.some((c) => c.name === "routes")) db.exec(`ALTER TABLE events ADD COLUMN routes TEXT`);
  db.prepare(
    `INSERT OR IGNORE INTO materialized (id, seq) SELECT 1, coalesce(max(seq), 0) FROM events`,
  ).run();
}

/** Every statement the store runs, prepared once. */
export function prepareStatements(db: Database.Database) {
  return {
    // `seq <= ?` hides events the delivery thread has not been told about yet (see `Store.dueDeliveries`).
    due: db.prepare(
      `SELECT d.*, e.envelope, e.seq FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.status IN ('pending', 'retrying') AND d.next_at <= ? AND (d.status = 'retrying' OR e.seq <= ?)
       ORDER BY d.next_at LIMIT ?`,
    ),
    maxSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM events`),
    done: db.prepare(
      `UPDATE deliveries SET status = 'done', result = ?, done_at = ?, last_error = NULL, attempts = ?,
       first_attempt_at = ?, last_attempt_at = ? WHERE event_id = ? AND route_key = ?`,
    ),
    retry: db.prepare(
      `UPDATE deliveries SET status = 'retrying', next_at = ?, last_error = ?, attempts = ?,
       first_attempt_at = ?, last_attempt_at = ? WHERE event_id = ? AND route_key = ?`,
    ),
    dead: db.prepare(
      `UPDATE deliveries SET status = 'dead', last_error = ?, done_at = ?, attempts = ?,
       first_attempt_at = ?, last_attempt_at = ? WHERE event_id = ? AND route_key = ?`,
    ),
    insertDlq: db.prepare(
      `INSERT INTO dlq (event_id, route_key, error, attempts, first_attempt_at, last_attempt_at, dead_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    nextDue: db.prepare(
      `SELECT min(next_at) AS at FROM deliveries WHERE status IN ('pending', 'retrying') AND next_at > ?`,
    ),
    countOpen: db.prepare(`SELECT count(*) AS n FROM deliveries WHERE status IN ('pending', 'retrying')`),
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
}

/** Opens (or creates, or brings up to date) the database file with the store's settings. */
export function openDatabase(file: string, options: StoreOptions): Database.Database {
  const inMemory = file === ":memory:";
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
  // With the checkpoint thread, SQLite's own checkpoint stays as a backstop, far above what the thread lets
  // the WAL reach.
  if (!inMemory && (options.checkpointIntervalMs ?? 200) > 0 && !options.remote) {
    db.pragma("wal_autocheckpoint = 20000");
  }
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  if (!options.remote) migrate(db);
  return db;
}
