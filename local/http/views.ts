/**
 * The JSON shapes of the ops endpoints: an event with its per-route outcomes and attempt history, its causal
 * tree (follow-ups and replays, recursively, within a budget), a DLQ entry, a replay. Plain functions over the
 * store's rows.
 */
import type { Envelope } from "../../processors/runtime";
import { PAUSED_REASON } from "../bus";
import {
  correlationOf,
  type AttemptRow,
  type DeliveryRow,
  type DlqRow,
  type EventRow,
  type ReplayRow,
} from "../store";

/** Outcome of one route for one event, as `GET /local/events/:id` shows it. */
export type RouteStatus = "pending" | "in-flight" | "retrying" | "done" | "dead-lettered";
/** Overall state of an event: settled (`done`, `dead-lettered`, `unrouted`) or not (`pending`, `retrying`). */
export type EventStatus = "pending" | "retrying" | "done" | "dead-lettered" | "unrouted";

const ROUTE_STATUS: Record<DeliveryRow["status"], RouteStatus> = {
  pending: "pending",
  in_flight: "in-flight",
  retrying: "retrying",
  done: "done",
  dead: "dead-lettered",
};

/** What the views read besides the row itself. */
export interface ViewReads {
  deliveriesOf(event: EventRow): DeliveryRow[];
  failedAttempts(eventId: string): AttemptRow[];
  followUps(eventId: string, limit: number): EventRow[];
  replaysOf(eventId: string, limit: number): EventRow[];
}

/** Which attempts are running now. */
export interface InFlight {
  isInFlight(eventId: string, routeKey: string): boolean;
}

/** One event and its per-route outcomes; with `attempts`, each route's attempt history too. */
export function eventView(
  row: EventRow,
  deliveries: readonly DeliveryRow[],
  worker: InFlight,
  attempts?: AttemptRow[],
) {
  const routes = deliveries.map((d) => {
    const status = worker.isInFlight(d.event_id, d.route_key) ? "in-flight" : ROUTE_STATUS[d.status];
    return {
      routeKey: d.route_key,
      status,
      attempts: d.attempts,
      ...(d.status === "done" ? { result: d.result === null ? null : JSON.parse(d.result) } : {}),
      ...(d.last_error !== null ? { error: d.last_error } : {}),
      ...(d.status === "retrying" || d.status === "pending" ? { nextAttemptAt: iso(d.next_at) } : {}),
      firstAttemptAt: iso(d.first_attempt_at),
      lastAttemptAt: iso(d.last_attempt_at),
      ...(d.status === "done" ? { doneAt: iso(d.done_at) } : {}),
      ...(d.status === "dead" ? { deadLetteredAt: iso(d.done_at) } : {}),
      ...(attempts ? { history: history(d, attempts) } : {}),
    };
  });
  return {
    eventId: row.id,
    status: overall(routes.map((r) => r.status)),
    acceptedAt: iso(row.accepted_at),
    correlationId: correlationOf(row),
    ...(row.cause_event ? { cause: { eventId: row.cause_event, routeKey: row.cause_route } } : {}),
    ...(row.replay_of ? { replayOf: row.replay_of, replayName: row.replay_name } : {}),
    event: JSON.parse(row.envelope) as Envelope,
    routes,
  };
}

/** An event node of a causal tree: the event, its routes with their history, its follow-ups and replays. */
export type TreeNode = ReturnType<typeof eventView> & {
  followUps: TreeNode[];
  replays: TreeNode[];
};

/**
 * The causal tree of `root`: each route's attempts, each follow-up its processors emitted (with its own
 * deliveries and follow-ups), and each replay of it, breadth first, `maxEvents` events and (past the root)
 * `maxBytes` of stored events at most (`truncated` then says some were left out).
 */
export function treeView(
  root: EventRow,
  reads: ViewReads,
  worker: InFlight,
  maxEvents: number,
  maxBytes: number,
) {
  let budget = maxEvents;
  let bytes = 0;
  let truncated = false;
  const node = (row: EventRow): TreeNode => {
    budget -= 1;
    bytes += row.envelope.length;
    return {
      ...eventView(row, reads.deliveriesOf(row), worker, reads.failedAttempts(row.id)),
      followUps: [],
      replays: [],
    };
  };
  const top = node(root);
  const queue: [TreeNode, EventRow][] = [[top, root]];
  while (queue.length > 0) {
    const [parent, row] = queue.shift() as [TreeNode, EventRow];
    for (const kind of ["followUps", "replays"] as const) {
      // One more than the budget: whether anything was left out.
      const children =
        kind === "followUps" ? reads.followUps(row.id, budget + 1) : reads.replaysOf(row.id, budget + 1);
      for (const child of children) {
        if (budget <= 0 || bytes + child.envelope.length > maxBytes) {
          truncated = true;
          break;
        }
        const n = node(child);
        parent[kind].push(n);
        queue.push([n, child]);
      }
    }
  }
  return { ...top, ...(truncated ? { truncated: true } : {}) };
}

/** A route's attempts in order: the failed ones kept in `attempts`, then the successful one (the row itself). */
function history(d: DeliveryRow, attempts: readonly AttemptRow[]) {
  const out: {
    attempt: number;
    startedAt: string | null;
    endedAt: string | null;
    outcome: string;
    error?: string;
  }[] = [];
  for (const a of attempts) {
    if (a.route_key !== d.route_key) continue;
    out.push({
      attempt: a.attempt,
      startedAt: iso(a.started_at),
      endedAt: iso(a.ended_at),
      outcome: a.outcome === "dead" ? "dead-lettered" : "failed",
      ...(a.error !== null ? { error: a.error } : {}),
    });
  }
  if (d.status === "done") {
    out.push({
      attempt: d.attempts,
      startedAt: iso(d.last_attempt_at),
      endedAt: iso(d.done_at),
      outcome: "done",
    });
  }
  return out;
}

function overall(statuses: readonly RouteStatus[]): EventStatus {
  if (statuses.length === 0) return "unrouted";
  if (statuses.includes("retrying")) return "retrying";
  if (statuses.includes("pending") || statuses.includes("in-flight")) return "pending";
  return statuses.includes("dead-lettered") ? "dead-lettered" : "done";
}

export function dlqView(e: DlqRow) {
  return {
    id: e.id,
    eventId: e.event_id,
    routeKey: e.route_key,
    error: e.error,
    attempts: e.attempts,
    firstAttemptAt: iso(e.first_attempt_at),
    lastAttemptAt: iso(e.last_attempt_at),
    deadLetteredAt: iso(e.dead_at),
    ...(e.redriven_at !== null ? { redrivenAt: iso(e.redriven_at) } : {}),
  };
}

/** A replay as `GET /local/replays/:name` shows it: DescribeReplay's facts, with its counts. */
export function replayView(r: ReplayRow, arn: string) {
  return {
    replayName: r.name,
    replayArn: arn,
    state: r.state,
    ...(r.state_reason !== null ? { stateReason: r.state_reason } : {}),
    paused: r.state_reason === PAUSED_REASON,
    ...(r.description !== null ? { description: r.description } : {}),
    from: iso(r.event_start),
    to: iso(r.event_end),
    routes: r.route_keys === null ? null : (JSON.parse(r.route_keys) as string[]),
    total: r.total,
    replayed: r.replayed,
    eventLastReplayedTime: iso(r.last_replayed_at),
    replayStartTime: iso(r.started_at),
    replayEndTime: iso(r.ended_at),
  };
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
