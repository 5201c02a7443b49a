/** Every statement the store runs over the schema of `schema.ts`, prepared once per connection. */
import type Database from "better-sqlite3";

/** Every statement the store runs, prepared once. */
export function prepareStatements(db: Database.Database) {
  return {
    // `seq <= ?` hides events the loop already holds in memory (see `Store.dueDeliveries`).
    due: db.prepare(
      `SELECT d.*, e.envelope, e.seq, e.correlation_id FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.status IN ('pending', 'retrying') AND d.next_at <= ? AND (d.status = 'retrying' OR e.seq <= ?)
       ORDER BY d.next_at LIMIT ?`,
    ),
    maxSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM events`),
    // The storage monitor's probe (monitor.ts): a row as large as a refused write, removed in the same transaction.
    probeInsert: db.prepare(`INSERT INTO probe (pad) VALUES (zeroblob(?))`),
    probeDelete: db.prepare(`DELETE FROM probe`),
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
    insertAttempt: db.prepare(
      // A second failure of the same attempt number in the same millisecond (only after a redrive) is one row.
      `INSERT OR IGNORE INTO attempts (event_id, route_key, attempt, started_at, ended_at, outcome, error)
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
    // A window of `seq` (at most `listScanRows` events) newest first; the filters run here, not after reading.
    // An event's route keys are in `routes` until its delivery rows exist (and after, with late rows).
    listEvents: db.prepare(
      `SELECT * FROM events e WHERE e.seq < @before AND e.seq >= @floor
         AND (@detailType IS NULL OR e.detail_type = @detailType) AND (@source IS NULL OR e.source = @source)
         AND (@route IS NULL
           OR (e.routes IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(e.routes) r WHERE r.value = @route))
           OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.route_key = @route))
       ORDER BY e.seq DESC`,
    ),
    listDlq: db.prepare(
      `SELECT * FROM dlq WHERE redriven_at IS NULL AND id > @after AND (@route IS NULL OR route_key = @route)
       ORDER BY id LIMIT @limit`,
    ),
    countDlqRoute: db.prepare(
      `SELECT count(*) AS n FROM dlq WHERE redriven_at IS NULL AND (@route IS NULL OR route_key = @route)`,
    ),
    dlqByRoute: db.prepare(
      `SELECT route_key, count(*) AS n FROM dlq WHERE redriven_at IS NULL GROUP BY route_key`,
    ),
    followUps: db.prepare(`SELECT * FROM events WHERE cause_event = ? ORDER BY seq LIMIT ?`),
    replaysOf: db.prepare(`SELECT * FROM events WHERE replay_of = ? ORDER BY seq LIMIT ?`),
    attemptsOf: db.prepare(`SELECT * FROM attempts WHERE event_id = ? ORDER BY route_key, ended_at, attempt`),
    createdAt: db.prepare(`SELECT value FROM meta WHERE key = 'created_at'`),
    getIdem: db.prepare(`SELECT result FROM idempotency WHERE key = ?`),
    // The first result written for a key stays, as the port promises (a concurrent writer that got there first
    // wins) and as DynamoDB's conditional put does on AWS.
    putIdem: db.prepare(`INSERT OR IGNORE INTO idempotency (key, result, stored_at) VALUES (?, ?, ?)`),
  };
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;
