/**
 * Processing-outcome checks, only possible against the local stack: it exposes `GET /local/events/:id` with the
 * per-route outcome of an event. A deployed stack has no such endpoint (its outcome lives in CloudWatch Logs).
 */
import { clip, isObject, subsetDiff } from "./check";
import type { EmitExpectation, OutcomeExpectation, RouteExpectation } from "./types";

/** One route's outcome for one event, normalised from the local stack's answer. */
export interface RouteOutcome {
  status: string;
  result?: unknown;
  error?: unknown;
}

/** The local stack's view of one event, normalised. */
export interface EventView {
  id: string;
  detailType: string;
  detail: unknown;
  source: string;
  /** ISO time the bus accepted the event (millisecond precision). */
  acceptedAt: string;
  routes: Record<string, RouteOutcome>;
}

/** Route statuses after which nothing more happens without an operator (redrive). */
const SETTLED = new Set(["done", "dead-lettered"]);

/** Whether `origin` is a local stack (it answers `GET /local/health`). */
export async function isLocalStack(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/local/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Reads one event; undefined while the server does not know it (404). */
export async function readEvent(origin: string, id: string): Promise<EventView | undefined> {
  const res = await fetch(`${origin}/local/events/${encodeURIComponent(id)}`);
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET /local/events/${id} answered ${res.status}: ${clip(text)}`);
  return normalise(JSON.parse(text));
}

/** Polls until every matched route of `id` settled, then returns the view; throws after `timeoutMs`. */
export async function waitSettled(origin: string, id: string, timeoutMs: number): Promise<EventView> {
  const deadline = Date.now() + timeoutMs;
  let last: EventView | undefined;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    last = await readEvent(origin, id);
    if (last && Object.values(last.routes).every((r) => SETTLED.has(r.status))) return last;
    if (Date.now() > deadline) {
      const seen = last ? JSON.stringify(last.routes) : "unknown event";
      throw new Error(`event ${id} not settled after ${timeoutMs} ms: ${clip(seen, 300)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Failures of the settled event (and the events it emitted) against `expected`. */
export async function checkOutcome(
  origin: string,
  id: string,
  expected: OutcomeExpectation,
  timeoutMs: number,
): Promise<string[]> {
  const view = await waitSettled(origin, id, timeoutMs);
  const failures = checkRoutes(view, expected.routes, "");
  for (const emit of expected.emits ?? []) {
    const label = `emitted ${emit["detail-type"]} from ${emit.source}: `;
    const child = await findEmitted(origin, view, emit);
    if (!child) {
      failures.push(
        `${label}no such event accepted after ${view.acceptedAt} with detail ${JSON.stringify(emit.detail)}`,
      );
      continue;
    }
    if (emit.routes)
      failures.push(...checkRoutes(await waitSettled(origin, child.id, timeoutMs), emit.routes, label));
  }
  return failures;
}

/**
 * The event a processor emitted while handling `parent`: the bus does not link the two (neither does
 * EventBridge), so it is the earliest event from the processor's source and of the detail-type, accepted no
 * earlier than the parent, whose detail contains the expected subset (which names the parent's business id).
 */
async function findEmitted(
  origin: string,
  parent: EventView,
  emit: EmitExpectation,
): Promise<EventView | undefined> {
  const query = new URLSearchParams({
    source: emit.source,
    "detail-type": emit["detail-type"],
    limit: "1000",
  });
  const res = await fetch(`${origin}/local/events?${query}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /local/events?${query} answered ${res.status}: ${clip(text)}`);
  const body = JSON.parse(text) as { events?: unknown[] };
  const candidates = (body.events ?? [])
    .map(normalise)
    .filter((e) => e.acceptedAt >= parent.acceptedAt && subsetDiff(emit.detail ?? {}, e.detail).length === 0)
    .sort((a, b) => a.acceptedAt.localeCompare(b.acceptedAt));
  return candidates[0];
}

function checkRoutes(view: EventView, expected: Record<string, RouteExpectation>, label: string): string[] {
  const failures: string[] = [];
  const actualKeys = Object.keys(view.routes).sort();
  const expectedKeys = Object.keys(expected).sort();
  if (actualKeys.join() !== expectedKeys.join()) {
    failures.push(`${label}matched routes [${actualKeys.join(", ")}], expected [${expectedKeys.join(", ")}]`);
  }
  for (const [key, want] of Object.entries(expected)) {
    const got = view.routes[key];
    if (!got) continue;
    if (got.status !== want.status) {
      const why = got.error === undefined ? "" : ` (${clip(String(got.error))})`;
      failures.push(`${label}route ${key}: status ${got.status}, expected ${want.status}${why}`);
    }
    if (want.result) failures.push(...subsetDiff(want.result, got.result, `${label}route ${key} result`));
  }
  return failures;
}

/** Maps the local stack's JSON for one event (`eventView` in local/ops.ts) onto `EventView`. */
function normalise(body: unknown): EventView {
  if (!isObject(body)) throw new Error(`event view is not an object: ${clip(JSON.stringify(body))}`);
  if (!isObject(body.event)) throw new Error(`event view has no "event": ${clip(JSON.stringify(body))}`);
  const event = body.event;
  const routes: Record<string, RouteOutcome> = {};
  const list = Array.isArray(body.routes) ? body.routes : [];
  for (const r of list) {
    if (!isObject(r)) continue;
    const key = String(r.routeKey);
    routes[key] = { status: String(r.status), result: r.result, error: r.error };
  }
  return {
    id: String(event.id),
    detailType: String(event["detail-type"]),
    source: String(event.source),
    detail: event.detail,
    acceptedAt: String(body.acceptedAt),
    routes,
  };
}
