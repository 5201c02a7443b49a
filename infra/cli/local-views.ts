/**
 * What the local stack's `/local/` views hold (only the fields the CLI reads), and how each becomes what the
 * CLI prints (target.ts's shapes). Pure: local.ts does the requests.
 */
import type { DeadLetter, ReplayProgress, TailLine, TreeNode } from "./target";

/** What the local stack's views hold (only the fields the CLI reads). */
export interface RouteView {
  routeKey: string;
  status: string;
  attempts: number;
  error?: string;
  history?: {
    attempt: number;
    startedAt: string | null;
    endedAt: string | null;
    outcome: string;
    error?: string;
  }[];
}
export interface TreeView {
  eventId: string;
  status: string;
  acceptedAt: string;
  correlationId: string;
  cause?: { eventId: string; routeKey: string };
  replayName?: string;
  event: { "detail-type": string; source: string };
  routes: RouteView[];
  followUps: TreeView[];
  replays: TreeView[];
  truncated?: boolean;
}
export interface DlqView {
  id: number;
  eventId: string;
  routeKey: string;
  error: string;
  attempts: number;
  deadLetteredAt: string;
}
export interface ReplayView {
  replayName: string;
  state: string;
  stateReason?: string;
  total: number;
  replayed: number;
}

/** A stream message as a tail line (`undefined` for ones the CLI does not show). */
export function tailLine(event: string, data: Record<string, unknown>): TailLine | undefined {
  const now = new Date().toISOString();
  if (event === "accepted") {
    const routes = (data.routes as string[]).join(", ") || "no route";
    const extra = data.replayName ? ` (replay ${data.replayName})` : data.cause ? " (follow-up)" : "";
    return {
      time: String(data.acceptedAt),
      kind: "accepted",
      eventId: String(data.eventId),
      text: `${data.detailType} from ${data.source} → ${routes}${extra}`,
    };
  }
  if (event === "outcome") {
    const error = data.error ? `: ${data.error}` : "";
    return {
      time: now,
      kind: "outcome",
      eventId: String(data.eventId),
      routeKey: String(data.routeKey),
      text: `${data.routeKey} ${data.status} (attempt ${data.attempt}, ${data.durationMs} ms)${error}`,
    };
  }
  if (event === "dropped") {
    return {
      time: now,
      kind: "dropped",
      text: `${data.dropped} messages dropped (this terminal was too slow)`,
    };
  }
  return undefined;
}

/** An event's causal tree as the lines `events show` prints: its routes' attempts, follow-ups and replays. */
export function eventNode(view: TreeView, prefix: string): TreeNode {
  const e = view.event;
  const correlation = prefix === "" ? `, correlation ${view.correlationId}` : "";
  const node: TreeNode = {
    label: `${prefix}${view.eventId} ${e["detail-type"]} from ${e.source}: ${view.status}, accepted ${view.acceptedAt}${correlation}`,
    children: [],
  };
  for (const r of view.routes) {
    const plural = r.attempts === 1 ? "" : "s";
    node.children.push({
      label: `route ${r.routeKey}: ${r.status}, ${r.attempts} attempt${plural}${r.error && r.status !== "done" ? ` (${r.error})` : ""}`,
      children: (r.history ?? []).map((h) => ({
        label: `attempt ${h.attempt} ${h.outcome} ${h.startedAt ?? "?"} → ${h.endedAt ?? "?"}${h.error ? `: ${h.error}` : ""}`,
        children: [],
      })),
    });
  }
  for (const f of view.followUps) node.children.push(eventNode(f, `follow-up from ${f.cause?.routeKey}: `));
  for (const r of view.replays) node.children.push(eventNode(r, `replay ${r.replayName}: `));
  return node;
}

/** A DLQ entry as `dlq list` prints it. */
export function deadLetter(e: DlqView): DeadLetter {
  return {
    id: String(e.id),
    routeKey: e.routeKey,
    eventId: e.eventId,
    attempts: e.attempts,
    deadLetteredAt: e.deadLetteredAt,
    error: e.error,
  };
}

/** A replay's state as `replay` prints it; `fraction` is unknown while the total is (0 originals: done). */
export function replayProgress(r: ReplayView): ReplayProgress {
  const fraction = r.total > 0 ? r.replayed / r.total : r.state === "COMPLETED" ? 1 : undefined;
  return {
    name: r.replayName,
    state: r.state,
    fraction,
    replayed: r.replayed,
    total: r.total,
    reason: r.stateReason,
    raw: r,
  };
}

/** How the stack runs its processors, for `health`. */
export function processorsLine(
  isolation: "workers" | "none",
  workers: { workers: number; started: number; crashed: number; timedOut: number } | undefined,
): string {
  if (isolation !== "workers") return "unisolated, on the server's thread";
  const w = workers ?? { workers: 0, started: 0, crashed: 0, timedOut: 0 };
  return `isolated workers: ${w.workers} running, ${w.started} started, ${w.crashed} crashed, ${w.timedOut} timed out`;
}
