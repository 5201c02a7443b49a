/**
 * The local bus's row types as the store reads and writes them, and the key of one delivery in memory.
 * `test/bench/lib/probe.ts` reads these tables directly, so renaming a column is a change of contract.
 */
import { idempotencyKey } from "../../processors/runtime";

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
  /** The correlation id it was given or inherited; absent: its own id stands for it (`correlationOf`). */
  correlationId?: string;
  /** The event and route whose processor emitted it (a follow-up). */
  causeEvent?: string;
  causeRoute?: string;
  /** Set by the insert. */
  seq?: number;
}

export interface EventRow {
  seq: number;
  /** Keys of the routes it matched (JSON array) while its delivery rows are not written (delivery-rows.ts). */
  routes: string | null;
  id: string;
  detail_type: string;
  source: string;
  accepted_at: number;
  envelope: string;
  replay_of: string | null;
  replay_name: string | null;
  /** NULL: the event's own id, without dashes, is its correlation id (`correlationOf`). */
  correlation_id: string | null;
  cause_event: string | null;
  cause_route: string | null;
}

/**
 * An event's correlation id: the one it was given or inherited, else its own id as 32 hex digits (a UUIDv7
 * without dashes, also a valid W3C trace id), which is not stored, so a new event costs no extra bytes.
 */
export function correlationOf(event: { id: string; correlation_id?: string | null }): string {
  return event.correlation_id ?? event.id.replace(/-/g, "");
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
  /** The event's `seq` (whether its delivery rows exist yet: delivery-rows.ts). */
  seq?: number;
  /** The event's stored correlation id (`correlationOf`); absent or null: its id stands for it. */
  correlation_id?: string | null;
  /** The status its row had when the Store handed it out (absent: taken from memory, never attempted). */
  claimedAs?: "pending" | "retrying";
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

/**
 * Identifies one delivery (event × route) in memory: the processors' idempotency key, since both name one
 * route's processing of one event.
 */
export function deliveryKey(eventId: string, routeKey: string): string {
  return idempotencyKey(routeKey, eventId);
}

/**
 * What reads need from the late delivery rows (`delivery-rows.ts`): the deliveries of events whose rows are not
 * written yet.
 */
export interface PendingRows {
  /** Deliveries of events without rows yet (all of them open). */
  pendingCount(): number;
  /** The rows such an event would have (pending, never attempted); `undefined` if it has its rows. */
  synthesize(event: EventRow): DeliveryRow[] | undefined;
}

/** One failed attempt of a delivery, as `attempts` keeps it (a successful one is the delivery row itself). */
export interface AttemptRow {
  event_id: string;
  route_key: string;
  attempt: number;
  started_at: number | null;
  ended_at: number;
  outcome: "retrying" | "dead";
  error: string | null;
}

/* Outcomes as data: the write tuples of writes.ts. */

/** `done`: result, doneAt, attempts, first, last, eventId, routeKey. */
export type DoneWrite = [string, number, number, number, number, string, string];
/** `retrying`: nextAt, error, attempts, first, last (the failed attempt's start), eventId, routeKey, its end. */
export type RetryWrite = [number, string, number, number | null, number | null, string, string, number];
/** Dead-lettered: error, now, attempts, first, last, eventId, routeKey, the failed attempt's start. */
export type DeadWrite = [string, number, number, number, number, string, string, number | null];
/* Replays (replays.ts). */

/** Replay states, as EventBridge names them. */
export const REPLAY_STATES = [
  "STARTING",
  "RUNNING",
  "CANCELLING",
  "COMPLETED",
  "CANCELLED",
  "FAILED",
] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

/** One row of `replays`. Times are epoch ms. */
export interface ReplayRow {
  name: string;
  description: string | null;
  state: ReplayState;
  state_reason: string | null;
  event_source_arn: string;
  /** `{"Arn", "FilterArns"?}` as given (JSON). */
  destination: string;
  /** Route keys the replay is restricted to (JSON array); null: every route. */
  route_keys: string | null;
  event_start: number;
  event_end: number;
  /** Archived events up to this `seq` are done with. */
  cursor: number;
  /** Events after this `seq` (committed after the replay started, replays among them) are not in it. */
  end_seq: number;
  /** Archived events in range, counted while `STARTING`. */
  total: number | null;
  replayed: number;
  /** Acceptance time of the last event re-sent. */
  last_replayed_at: number | null;
  started_at: number;
  ended_at: number | null;
}

/** What a replay is asked for (times in epoch ms, inclusive). */
export interface ReplayRequest {
  name: string;
  description?: string;
  from: number;
  to: number;
  /** The archive's ARN, as `DescribeReplay` shows it. */
  eventSourceArn: string;
  /** EventBridge's `Destination` (the bus's ARN, the rule ARNs it is restricted to), as `DescribeReplay` shows it. */
  destination: { Arn: string; FilterArns?: string[] };
  /** Route keys the events may reach (`FilterArns` as keys); absent: every route. */
  routeKeys?: readonly string[];
}

/** Which replays `list` returns. */
export interface ReplayFilter {
  namePrefix?: string;
  state?: string;
  eventSourceArn?: string;
}

/** What a replay reads of the archive: originals (not replays) from the archive's sources. */
export interface ArchiveRange {
  sources: readonly string[];
  from: number;
  to: number;
}
