/**
 * The one replay engine, behind both `StartReplay` (EventBridge's API) and `POST /local/replay`: it re-sends
 * every archived event of a time range onto the bus, however many, as EventBridge replays an archive.
 *
 * - Asynchronous, with EventBridge's states: `STARTING` while it counts the range (so progress has a total),
 *   `RUNNING` while it re-sends, then `COMPLETED`, `CANCELLED` (after `CANCELLING`) or `FAILED` (with the
 *   error as `StateReason`).
 * - Paged: one page (`pageSize` events, read in `seq` order) per step, each step its own transaction and its
 *   own event-loop turn, so HTTP and deliveries carry on beside a long replay. Nothing is capped or truncated.
 * - Bounded: a page never takes the backlog past `maxPending` (what `POST /events` answers 429 at); at the
 *   bound the replay pauses (`RUNNING`, `StateReason` says so) and looks again every `pauseMs`.
 * - A storage fault (disk full, the file gone, an unreadable page) pauses it too: the page was not committed, so
 *   it is tried again every `pauseMs` until the file takes it. Only another error ends it `FAILED`.
 * - Durable: its progress is committed with each page's events (`Bus.put`'s `within`), so after a crash or a
 *   stop it resumes where its last page ended (`resume`): no event is re-sent twice or skipped. A replay
 *   interrupted while `CANCELLING` ends `CANCELLED`.
 * - Each re-sent event carries `replay-name`, as on AWS, a new id, its original's correlation id, and reaches
 *   only the routes it was restricted to (`Destination.FilterArns`).
 */
import { checkName } from "../../infra/table";
import type { Envelope } from "../../processors/runtime";
import {
  correlationOf,
  isSqliteError,
  StorageFault,
  type ArchiveRange,
  type EventRow,
  type ReplayFilter,
  type ReplayRequest,
  type ReplayRow,
} from "../store";
import type { BusEntry } from "./entry";
import { MAX_DESCRIPTION_LENGTH, PAUSED_REASON, ReplayError, type ReplayDeps } from "./replay-ports";

/** Events counted per step while `STARTING`. */
const COUNT_WINDOW = 50_000;

export class ReplayEngine {
  private readonly timers = new Map<string, NodeJS.Timeout | NodeJS.Immediate>();
  /** Counting progress of `STARTING` replays (in memory: a restart counts again). */
  private readonly counting = new Map<string, { cursor: number; n: number }>();
  /** Replays whose last step the file refused (logged once, until a step succeeds). */
  private readonly waitingForStorage = new Set<string>();
  private stopped = false;

  constructor(private readonly deps: ReplayDeps) {}

  /** Starts a replay: it is `STARTING` when this returns, and runs on later event-loop turns. */
  start(request: ReplayRequest): ReplayRow {
    const problem = checkName("replay", request.name);
    if (problem !== undefined) throw new ReplayError("invalid", problem, "name");
    if (!(request.from <= request.to)) {
      throw new ReplayError("invalid", "the start of the range must not be after its end", "range");
    }
    const description = request.description;
    if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
      throw new ReplayError(
        "invalid",
        `the description is ${description.length} characters; at most ${MAX_DESCRIPTION_LENGTH} (as StartReplay allows)`,
        "description",
      );
    }
    const range = this.range(request.from, request.to);
    const { cursor, endSeq } = this.deps.store.bounds(range);
    const row: ReplayRow = {
      name: request.name,
      description: request.description ?? null,
      state: "STARTING",
      state_reason: null,
      event_source_arn: request.eventSourceArn,
      destination: JSON.stringify(request.destination),
      route_keys: request.routeKeys ? JSON.stringify(request.routeKeys) : null,
      event_start: request.from,
      event_end: request.to,
      cursor,
      end_seq: endSeq,
      total: null,
      replayed: 0,
      last_replayed_at: null,
      started_at: this.deps.now().getTime(),
      ended_at: null,
    };
    if (!this.deps.store.insert(row)) {
      throw new ReplayError("exists", `a replay named ${request.name} already exists`);
    }
    this.deps.log.info({ replayName: row.name, from: row.event_start, to: row.event_end }, "replay started");
    this.schedule(row.name, 0);
    return row;
  }

  /** Asks a `STARTING` or `RUNNING` replay to stop: it is `CANCELLING`, then `CANCELLED` at its next step. */
  cancel(name: string): ReplayRow {
    const row = this.get(name);
    if (row.state !== "STARTING" && row.state !== "RUNNING") {
      throw new ReplayError(
        "illegal-state",
        `replay ${name} is ${row.state}: only a STARTING or RUNNING replay can be cancelled`,
      );
    }
    this.deps.store.setState(name, "CANCELLING", null);
    this.schedule(name, 0);
    return { ...row, state: "CANCELLING", state_reason: null };
  }

  /** The replay named `name`; throws `not-found`. */
  get(name: string): ReplayRow {
    const row = this.deps.store.get(name);
    if (!row) throw new ReplayError("not-found", `replay ${name} does not exist`);
    return row;
  }

  list(filter: ReplayFilter, offset: number, limit: number): ReplayRow[] {
    return this.deps.store.list(filter, offset, limit);
  }

  /** Picks up the replays a previous process left unfinished; returns how many. */
  resume(): number {
    const rows = this.deps.store.unfinished();
    for (const row of rows) {
      this.deps.log.info({ replayName: row.name, state: row.state }, "resuming a replay");
      this.schedule(row.name, 0);
    }
    return rows.length;
  }

  /** Stops stepping (a stopped replay stays as it is on disk, and `resume` goes on with it). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
    this.timers.clear();
  }

  private range(from: number, to: number): ArchiveRange {
    return { sources: this.deps.archiveSources, from, to };
  }

  private schedule(name: string, delayMs: number): void {
    if (this.stopped) return;
    const old = this.timers.get(name);
    if (old) {
      clearTimeout(old as NodeJS.Timeout);
      clearImmediate(old as NodeJS.Immediate);
    }
    const run = () => {
      this.timers.delete(name);
      this.step(name);
    };
    this.timers.set(name, delayMs > 0 ? setTimeout(run, delayMs) : setImmediate(run));
  }

  private step(name: string): void {
    if (this.stopped) return;
    const { store } = this.deps;
    try {
      const row = store.get(name);
      if (!row) return;
      this.run(row);
      if (this.waitingForStorage.delete(name)) this.deps.log.info({ replayName: name }, "replay resumes");
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (err instanceof StorageFault || isSqliteError(err)) {
        // Nothing of this step was committed, and the state cannot be written either: look again later.
        if (!this.waitingForStorage.has(name)) {
          this.waitingForStorage.add(name);
          this.deps.log.warn({ replayName: name, error: reason }, "replay waits for storage");
        }
        this.schedule(name, this.deps.pauseMs);
        return;
      }
      this.deps.log.error({ replayName: name, error: reason }, "replay failed");
      try {
        store.setState(name, "FAILED", reason.slice(0, 512), this.deps.now().getTime());
      } catch {
        // The store itself is failing; the replay stays as it was on disk and resumes at the next start.
      }
    }
  }

  private run(row: ReplayRow): void {
    switch (row.state) {
      case "CANCELLING":
        this.counting.delete(row.name);
        this.deps.store.setState(row.name, "CANCELLED", null, this.deps.now().getTime());
        this.deps.log.info({ replayName: row.name, replayed: row.replayed }, "replay cancelled");
        return;
      case "STARTING":
        return this.count(row);
      case "RUNNING":
        return this.replayPage(row);
      default:
        return;
    }
  }

  /** `STARTING`: counts the range in windows, then `RUNNING`. */
  private count(row: ReplayRow): void {
    const { store } = this.deps;
    const state = this.counting.get(row.name) ?? { cursor: row.cursor, n: 0 };
    const step = store.count(
      this.range(row.event_start, row.event_end),
      state.cursor,
      row.end_seq,
      COUNT_WINDOW,
    );
    state.n += step.n;
    state.cursor = step.upTo;
    if (step.upTo < row.end_seq) {
      this.counting.set(row.name, state);
      return this.schedule(row.name, 0);
    }
    this.counting.delete(row.name);
    store.setTotal(row.name, state.n, row.cursor);
    store.setState(row.name, "RUNNING", null);
    this.schedule(row.name, 0);
  }

  /** `RUNNING`: re-sends one page (within the backlog's headroom), or ends. */
  private replayPage(row: ReplayRow): void {
    const { store, backlog, maxPending } = this.deps;
    const headroom = maxPending - backlog.openDeliveries;
    if (headroom <= 0) {
      if (row.state_reason !== PAUSED_REASON) store.setState(row.name, "RUNNING", PAUSED_REASON);
      return this.schedule(row.name, this.deps.pauseMs);
    }
    if (row.state_reason !== null) store.setState(row.name, "RUNNING", null);
    const limit = Math.min(this.deps.pageSize, headroom);
    const range = this.range(row.event_start, row.event_end);
    const page = store.page(range, row.cursor, row.end_seq, limit);
    if (page.length === 0) {
      store.setState(row.name, "COMPLETED", null, this.deps.now().getTime());
      this.deps.log.info({ replayName: row.name, replayed: row.replayed }, "replay completed");
      return;
    }
    const only = row.route_keys ? new Set(JSON.parse(row.route_keys) as string[]) : undefined;
    const entries = page.map((r) => replayEntry(r, row.name, only));
    const last = page[page.length - 1];
    this.deps.put(entries, () => store.progress(row.name, last.seq, page.length, last.accepted_at));
    this.schedule(row.name, 0);
  }
}

/** The bus entry that re-sends archived event `r` in replay `name`. */
function replayEntry(r: EventRow, name: string, onlyRoutes: ReadonlySet<string> | undefined): BusEntry {
  const e = JSON.parse(r.envelope) as Envelope;
  return {
    source: e.source,
    detailType: e["detail-type"],
    detail: e.detail,
    time: new Date(e.time),
    resources: e.resources,
    replayOf: r.id,
    replayName: name,
    onlyRoutes,
    correlationId: correlationOf(r),
  };
}
