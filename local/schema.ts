/**
 * The local bus's SQLite schema and its row types. `test/bench/lib/probe.ts` reads these tables directly, so
 * renaming a column is a change of contract.
 */
/** Delivery states. `in_flight` rows found at start-up belong to a crashed process and are delivered again. */
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
}

export interface EventRow {
  seq: number;
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

/** A claimed delivery with the event it carries. */
export interface ClaimedDelivery extends DeliveryRow {
  envelope: string;
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

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  detail_type TEXT NOT NULL,
  source TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  replay_of TEXT,
  replay_name TEXT
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
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  stored_at INTEGER NOT NULL
) WITHOUT ROWID;
`;
