/**
 * The local event bus: stamps the EventBridge envelope, matches it against the routing table with the compiled
 * pattern engine and commits the event with the routes it matched before anyone answers 2xx (their delivery
 * rows follow later: local/store/delivery-rows.ts), then tells the delivery loop what it committed (`Commit`).
 */
import { randomUUID } from "node:crypto";
import { compile, type Matcher } from "../../infra/pattern";
import type { RouteRow } from "../../infra/table";
import type { Envelope } from "../../processors/runtime";
import type { NewEvent } from "../store";
import type { BusEntry, Commit } from "./entry";

/** Told about every commit: the delivery loop takes the new events' deliveries from here. */
export type CommitListener = (events: readonly NewEvent[], commit: Commit) => void;

/** Where the bus commits events: the `Store`, or anything else that archives them atomically. */
export interface EventLog {
  /**
   * Commits `events` in one transaction, sets their `seq` and returns the last one; `within` runs inside that
   * transaction (a replay's progress is committed with the events it re-sent).
   */
  insertEvents(events: readonly NewEvent[], within?: (seq: number) => void): number;
}

/** The envelope's fixed fields and the bus's collaborators. */
export interface BusOptions {
  account: string;
  region: string;
  now: () => Date;
  /**
   * Called with the events of every commit. `put` may run inside a processor's promise chain (an emit); the
   * request group commit runs in its own event-loop turn (`Commit.ownTurn`).
   */
  onCommit: CommitListener;
  /** Called once for each committed event no route received, with the reason (the server logs it). */
  onUnrouted?: (event: NewEvent, reason: string) => void;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix time in ms, the version 7, then the random bits (variant included) of a
 * v4 UUID from `crypto.randomUUID`. Not the `uuid` package's v7: that cost ~1.7 µs per id under load (3.4% of
 * the ingest CPU profile), `randomUUID` about 0.1 µs. Ids within one millisecond are not ordered among
 * themselves, which the indexes do not need (they stay on the same right-edge page).
 */
export function uuidv7(ms: number = Date.now()): string {
  const random = randomUUID();
  const time = ms.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}

/** AWS's envelope `time`: RFC 3339 in UTC, whole seconds. */
export function awsTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  // Thousands of events share a second under load; formatting a date is a visible part of accepting one.
  if (second !== lastTime.second) lastTime = { second, text: d.toISOString().replace(/\.\d{3}Z$/, "Z") };
  return lastTime.text;
}
let lastTime = { second: NaN, text: "" };

export class Bus {
  private readonly matcher: Matcher;
  private readonly accountJson: string;
  private readonly regionJson: string;
  private batch: { rows: NewEvent[]; resolve: (ids: string[]) => void; reject: (err: unknown) => void }[] =
    [];
  /** Why each event built but not yet committed matched no route; a commit looks only while there are any. */
  private readonly unroutedReasons = new WeakMap<NewEvent, string>();
  private unroutedWaiting = 0;

  constructor(
    private readonly store: EventLog,
    routes: readonly RouteRow[],
    private readonly options: BusOptions,
  ) {
    this.matcher = compile(routes.map((r) => ({ key: r.key, pattern: r.pattern })));
    this.accountJson = JSON.stringify(options.account);
    this.regionJson = JSON.stringify(options.region);
  }

  /**
   * Commits `entries` atomically, now, and returns their event ids, in order; `within` runs inside the
   * transaction (see `EventLog.insertEvents`).
   */
  put(entries: readonly BusEntry[], within?: (seq: number) => void): string[] {
    const rows = entries.map((e) => this.row(e));
    let seq: number;
    try {
      seq = this.store.insertEvents(rows, within);
    } catch (err) {
      this.forgetUnrouted(rows);
      throw err;
    }
    this.options.onCommit(rows, { seq, ownTurn: false });
    this.reportUnrouted(rows);
    return rows.map((r) => r.id);
  }

  /**
   * Group commit for request handlers: entries put during one event-loop turn are committed together in one
   * transaction at its end; the promise resolves with their ids once they are durable, so the 2xx follows.
   */
  putSoon(entries: readonly BusEntry[]): Promise<string[]> {
    const rows = entries.map((e) => this.row(e));
    return new Promise((resolve, reject) => {
      this.batch.push({ rows, resolve, reject });
      if (this.batch.length === 1) setImmediate(() => this.commitBatch());
    });
  }

  private commitBatch(): void {
    const batch = this.batch;
    this.batch = [];
    const rows = batch.flatMap((b) => b.rows);
    let seq: number;
    try {
      seq = this.store.insertEvents(rows);
    } catch (err) {
      for (const b of batch) b.reject(err);
      this.forgetUnrouted(rows);
      return;
    }
    for (const b of batch) b.resolve(b.rows.map((r) => r.id));
    this.options.onCommit(rows, { seq, ownTurn: true });
    this.reportUnrouted(rows);
  }

  private reportUnrouted(rows: readonly NewEvent[]): void {
    if (this.unroutedWaiting === 0) return;
    for (const row of rows) {
      const reason = this.unroutedReasons.get(row);
      if (reason === undefined) continue;
      this.unroutedReasons.delete(row);
      this.unroutedWaiting -= 1;
      this.options.onUnrouted?.(row, reason);
    }
  }

  /** A commit that failed was refused as a whole: its events were never accepted, so they are not reported. */
  private forgetUnrouted(rows: readonly NewEvent[]): void {
    if (this.unroutedWaiting === 0) return;
    for (const row of rows) if (this.unroutedReasons.delete(row)) this.unroutedWaiting -= 1;
  }

  private row(e: BusEntry): NewEvent {
    const acceptedAt = this.options.now();
    const envelope: Envelope = {
      version: "0",
      // UUIDv7: the same form as AWS's random ids, but time-ordered, so SQLite's indexes append (store/schema.ts).
      id: e.id ?? uuidv7(),
      "detail-type": e.detailType,
      source: e.source,
      account: this.options.account,
      time: awsTime(e.time ?? acceptedAt),
      region: this.options.region,
      resources: e.resources ?? [],
      detail: e.detail,
    };
    if (e.replayName !== undefined) envelope["replay-name"] = e.replayName;
    let routeKeys = e.defaultBus ? [] : this.matcher.match(envelope);
    const only = e.onlyRoutes;
    const matched = routeKeys.length;
    if (only) routeKeys = routeKeys.filter((k) => only.has(k));
    const row: NewEvent = {
      id: envelope.id,
      detailType: e.detailType,
      source: e.source,
      acceptedAt: acceptedAt.getTime(),
      envelope: this.serialize(envelope, e.detailJson),
      routeKeys,
      replayOf: e.replayOf,
      replayName: e.replayName,
      correlationId: e.correlationId,
      causeEvent: e.cause?.eventId,
      causeRoute: e.cause?.routeKey,
    };
    if (routeKeys.length === 0) {
      this.unroutedReasons.set(row, unroutedReason(e.defaultBus === true, matched, e.detailType));
      this.unroutedWaiting += 1;
    }
    return row;
  }

  /**
   * `JSON.stringify(envelope)`, reusing the detail's JSON when the caller has it: the detail is most of an
   * event, and serializing it twice was a visible part of accepting one. Same keys, same order.
   */
  private serialize(envelope: Envelope, detailJson: string | undefined): string {
    if (detailJson === undefined || envelope["replay-name"] !== undefined) return JSON.stringify(envelope);
    return (
      `{"version":"0","id":"${envelope.id}","detail-type":${JSON.stringify(envelope["detail-type"])},` +
      `"source":${JSON.stringify(envelope.source)},"account":${this.accountJson},"time":"${envelope.time}",` +
      `"region":${this.regionJson},"resources":${JSON.stringify(envelope.resources)},"detail":${detailJson}}`
    );
  }
}

/** Why an event reached no route, in words that say what to change. */
function unroutedReason(defaultBus: boolean, matched: number, detailType: string): string {
  if (defaultBus)
    return "put on the default bus, which no route reads (name the stack's bus in EventBusName)";
  if (matched > 0) return "the replay's route does not match it";
  return `no route's pattern matches it (detail-type "${detailType}")`;
}
