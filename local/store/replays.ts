/**
 * The replays table and the archive reads a replay makes. A replay's progress (`cursor`, `replayed`) is
 * written in the transaction that commits the events it re-sent (`Bus.put`'s `within`), so after a crash it
 * resumes exactly where its last committed page ended: nothing is re-sent twice, nothing skipped.
 */
import type Database from "better-sqlite3";
import type { ArchiveRange, EventRow, ReplayFilter, ReplayRow, ReplayState } from "./rows";

export class ReplayRows {
  private readonly stmt;
  /** Statements over a source list, by its length (the archive has one or a few sources). */
  private readonly bySources = new Map<number, ReturnType<typeof prepareArchiveReads>>();

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO replays (name, description, state, state_reason, event_source_arn, destination, route_keys,
           event_start, event_end, cursor, end_seq, total, replayed, last_replayed_at, started_at, ended_at)
         VALUES (@name, @description, @state, @state_reason, @event_source_arn, @destination, @route_keys,
           @event_start, @event_end, @cursor, @end_seq, @total, @replayed, @last_replayed_at, @started_at, @ended_at)
         ON CONFLICT (name) DO NOTHING`,
      ),
      get: db.prepare(`SELECT * FROM replays WHERE name = ?`),
      list: db.prepare(
        `SELECT * FROM replays WHERE name >= ? AND substr(name, 1, length(?)) = ?
           AND (? IS NULL OR state = ?) AND (? IS NULL OR event_source_arn = ?)
         ORDER BY name LIMIT ? OFFSET ?`,
      ),
      unfinished: db.prepare(
        `SELECT * FROM replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING') ORDER BY started_at`,
      ),
      state: db.prepare(
        `UPDATE replays SET state = ?, state_reason = ?, ended_at = coalesce(?, ended_at) WHERE name = ?`,
      ),
      total: db.prepare(`UPDATE replays SET total = ?, cursor = ? WHERE name = ?`),
      progress: db.prepare(
        `UPDATE replays SET cursor = ?, replayed = replayed + ?, last_replayed_at = coalesce(?, last_replayed_at)
         WHERE name = ?`,
      ),
      firstSeqFrom: db.prepare(`SELECT coalesce(min(seq), 0) AS seq FROM events WHERE accepted_at >= ?`),
      maxSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM events`),
    };
  }

  /** Inserts a new replay; false when one of that name exists. */
  insert(row: ReplayRow): boolean {
    return this.stmt.insert.run(row).changes === 1;
  }

  get(name: string): ReplayRow | undefined {
    return this.stmt.get.get(name) as ReplayRow | undefined;
  }

  /** Replays by name matching `filter`, `limit` from `offset`. */
  list(filter: ReplayFilter, offset: number, limit: number): ReplayRow[] {
    const prefix = filter.namePrefix ?? "";
    const state = filter.state ?? null;
    const source = filter.eventSourceArn ?? null;
    return this.stmt.list.all(
      prefix,
      prefix,
      prefix,
      state,
      state,
      source,
      source,
      limit,
      offset,
    ) as ReplayRow[];
  }

  /** Replays a stopped process left running: they resume (or, cancelling, end). */
  unfinished(): ReplayRow[] {
    return this.stmt.unfinished.all() as ReplayRow[];
  }

  setState(name: string, state: ReplayState, reason: string | null, endedAt?: number): void {
    this.stmt.state.run(state, reason, endedAt ?? null, name);
  }

  setTotal(name: string, total: number, cursor: number): void {
    this.stmt.total.run(total, cursor, name);
  }

  /** Records a page re-sent: call inside the transaction that commits its events. */
  progress(name: string, cursor: number, replayed: number, lastReplayedAt: number | undefined): void {
    this.stmt.progress.run(cursor, replayed, lastReplayedAt ?? null, name);
  }

  /** The `seq` bounds of a replay started now over `range`: archived events after `cursor`, up to `endSeq`. */
  bounds(range: ArchiveRange): { cursor: number; endSeq: number } {
    const first = (this.stmt.firstSeqFrom.get(range.from) as { seq: number }).seq;
    const endSeq = (this.stmt.maxSeq.get() as { seq: number }).seq;
    return { cursor: Math.max(0, first - 1), endSeq };
  }

  /** The next archived events in `range` after `cursor`, up to `endSeq`, at most `limit`, in `seq` order. */
  page(range: ArchiveRange, cursor: number, endSeq: number, limit: number): EventRow[] {
    const sql = this.reads(range.sources);
    return sql.page.all(cursor, endSeq, range.from, range.to, ...range.sources, limit) as EventRow[];
  }

  /**
   * Counts archived events in `range` between `cursor` and `endSeq`, looking at `window` events at most; returns
   * the count and the `seq` it got to (`endSeq` once done), so a large range is counted in steps.
   */
  count(range: ArchiveRange, cursor: number, endSeq: number, window: number): { n: number; upTo: number } {
    const upTo = Math.min(endSeq, cursor + window);
    const sql = this.reads(range.sources);
    const n = (sql.count.get(cursor, upTo, range.from, range.to, ...range.sources) as { n: number }).n;
    return { n, upTo };
  }

  /** Archived events (and their stored bytes) with `seq` in (`after`, `upTo`]: the archive's size, counted in steps. */
  archived(sources: readonly string[], after: number, upTo: number): { n: number; bytes: number } {
    return this.reads(sources).archived.get(after, upTo, ...sources) as { n: number; bytes: number };
  }

  /** The highest event `seq`. */
  maxSeq(): number {
    return (this.stmt.maxSeq.get() as { seq: number }).seq;
  }

  private reads(sources: readonly string[]) {
    let sql = this.bySources.get(sources.length);
    if (!sql) this.bySources.set(sources.length, (sql = prepareArchiveReads(this.db, sources.length)));
    return sql;
  }
}

/** Reads of archived originals in a `seq` window, for a source list of `n` entries. */
function prepareArchiveReads(db: Database.Database, n: number) {
  const where = `seq > ? AND seq <= ? AND accepted_at >= ? AND accepted_at <= ? AND replay_of IS NULL
    AND source IN (${Array<string>(n).fill("?").join(", ")})`;
  const sourceList = Array<string>(n).fill("?").join(", ");
  return {
    page: db.prepare(`SELECT * FROM events WHERE ${where} ORDER BY seq LIMIT ?`),
    count: db.prepare(`SELECT count(*) AS n FROM events WHERE ${where}`),
    archived: db.prepare(
      `SELECT count(*) AS n, coalesce(sum(length(envelope)), 0) AS bytes FROM events
       WHERE seq > ? AND seq <= ? AND replay_of IS NULL AND source IN (${sourceList})`,
    ),
  };
}
