/**
 * Reads the local stack's durable state straight from its SQLite file (schema in `local/store.ts`): the bench
 * checks what is on disk, not what the server says, and reads thousands of timestamps without HTTP overhead.
 * A second SQLite connection is safe next to the running server (WAL mode).
 */
import Database from "better-sqlite3";
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** The one SQLite database file the local stack keeps in `dataDir`. */
export function databaseFile(dataDir: string): string {
  const files = readdirSync(dataDir).filter((f) => /\.(db|sqlite3?)$/.test(f));
  if (files.length !== 1)
    throw new Error(`expected one database file in ${dataDir}, found [${files.join(", ")}]`);
  return join(dataDir, files[0]);
}

export class Probe {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    // Read-write on purpose: after a SIGKILL the WAL must be recovered, which a read-only connection cannot do.
    this.db = new Database(databaseFile(dataDir));
    this.db.pragma("busy_timeout = 5000");
  }

  /**
   * Deliveries not finished yet (pending, in flight or waiting for a retry), including those of events whose
   * delivery rows are not written yet (`local/lazy-deliveries.ts`).
   */
  openDeliveries(): number {
    const row = this.db
      .prepare(
        `SELECT (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'in_flight', 'retrying'))
              + (SELECT coalesce(sum(json_array_length(routes)), 0) FROM events
                 WHERE routes IS NOT NULL AND seq > (SELECT seq FROM materialized)) AS n`,
      )
      .get() as { n: number };
    return row.n;
  }

  /** Deliveries per status. */
  deliveriesByStatus(): Record<string, number> {
    const rows = this.db.prepare(`SELECT status, count(*) AS n FROM deliveries GROUP BY status`).all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Ids of `ids` that are NOT in the events table. */
  missing(ids: readonly string[]): string[] {
    const stored = new Set((this.db.prepare(`SELECT id FROM events`).pluck().all() as string[]).values());
    return ids.filter((id) => !stored.has(id));
  }

  /** Accepted → done milliseconds of every finished delivery of `ids`, per route. */
  latencies(ids: readonly string[]): { routeKey: string; ms: number }[] {
    const wanted = new Set(ids);
    const rows = this.db
      .prepare(
        `SELECT e.id AS id, d.route_key AS routeKey, d.done_at - e.accepted_at AS ms
         FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.status = 'done'`,
      )
      .all() as { id: string; routeKey: string; ms: number }[];
    return rows.filter((r) => wanted.has(r.id)).map(({ routeKey, ms }) => ({ routeKey, ms }));
  }

  close(): void {
    this.db.close();
  }
}

/** Polls until the local stack has no open delivery; returns the milliseconds it took. */
export async function waitDrained(probe: Probe, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  while (probe.openDeliveries() > 0) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `backlog not drained after ${timeoutMs} ms: ${JSON.stringify(probe.deliveriesByStatus())}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}
