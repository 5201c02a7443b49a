/**
 * Operating the local stack: inspect an event and its per-route outcome, list and redrive the DLQ, replay a
 * time range of the archive, health. All under `/local/` so they never collide with the deployed API's paths.
 */
import type { FastifyInstance } from "fastify";
import { processorSource } from "../../infra/table";
import type { Envelope } from "../../processors/runtime";
import { isPlainObject } from "../eventbridge";
import type { DeliveryRow, DlqRow, EventRow } from "../store";
import type { HttpContext } from "./context";
import { badRequest, notFound } from "./errors";

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

const MAX_REPLAY = 10_000;

export function registerOps(app: FastifyInstance, ctx: HttpContext): void {
  app.get<{ Params: { id: string } }>("/local/events/:id", (req, reply) => {
    const row = ctx.store.event(req.params.id);
    if (!row) throw notFound(`event ${req.params.id} is unknown`);
    return reply.send(eventView(row, ctx.store.deliveriesOf(row), ctx.worker));
  });

  app.get<{ Querystring: Record<string, string | undefined> }>("/local/events", (req, reply) => {
    const limit = clamp(Number(req.query.limit ?? 50), 1, 1000);
    const { source } = req.query;
    const detailType = req.query["detail-type"];
    const rows = ctx.store
      .recentEvents(detailType || source ? 10_000 : limit)
      .filter((r) => (!detailType || r.detail_type === detailType) && (!source || r.source === source))
      .slice(0, limit);
    return reply.send({ events: rows.map((r) => eventView(r, ctx.store.deliveriesOf(r), ctx.worker)) });
  });

  app.get<{ Querystring: { limit?: string } }>("/local/dlq", (req, reply) => {
    const limit = clamp(Number(req.query.limit ?? 100), 1, 10_000);
    return reply.send({ count: ctx.store.countDlq(), entries: ctx.store.openDlq(limit).map(dlqView) });
  });

  app.post("/local/dlq/redrive", (req, reply) => {
    const body = req.body ?? {};
    const ids = isPlainObject(body) ? body.ids : undefined;
    if (!isPlainObject(body) || (ids !== undefined && !(Array.isArray(ids) && ids.every(Number.isInteger)))) {
      throw badRequest("body.ids must be an array of DLQ entry ids (omit it to redrive all)");
    }
    const redriven = ctx.store.redrive(ids as number[] | undefined, ctx.now().getTime());
    ctx.worker.poll();
    req.log.info({ count: redriven.length }, "DLQ redriven");
    return reply.send({ redriven: redriven.length, entries: redriven.map(dlqView) });
  });

  app.post("/local/replay", (req, reply) => {
    const body = isPlainObject(req.body) ? req.body : {};
    const from = instant(body.from, "from");
    const to = instant(body.to, "to");
    if (from > to) throw badRequest("body.from must not be after body.to");
    const name = typeof body.name === "string" && body.name ? body.name : `replay-${ctx.now().toISOString()}`;
    // Follow-ups emitted by processors are not replayed: replaying their cause emits them again.
    const emitted = new Set(ctx.routes.map((r) => processorSource(r.processor.name)));
    const originals = ctx.store
      .eventsBetween(from, to, MAX_REPLAY + 1)
      .filter((r) => r.replay_of === null && !emitted.has(r.source));
    if (originals.length > MAX_REPLAY) {
      throw badRequest(`more than ${MAX_REPLAY} events in range; replay a shorter range`);
    }
    const ids = ctx.bus.put(
      originals.map((r) => {
        const e = JSON.parse(r.envelope) as Envelope;
        return {
          source: e.source,
          detailType: e["detail-type"],
          detail: e.detail,
          time: new Date(e.time),
          resources: e.resources,
          replayOf: r.id,
          replayName: name,
        };
      }),
    );
    req.log.info({ replayName: name, count: ids.length }, "replay started");
    return reply.send({
      replayName: name,
      count: ids.length,
      events: ids.map((id, i) => ({ eventId: id, replayOf: originals[i].id })),
    });
  });

  app.get("/local/health", (_req, reply) => {
    const byStatus = ctx.store.countsByStatus();
    return reply.send({
      status: "ok",
      isolation: ctx.isolation,
      workers: ctx.pool?.stats,
      events: ctx.store.countEvents(),
      deliveries: {
        pending: byStatus.pending ?? 0,
        inFlight: ctx.worker.inFlight,
        retrying: byStatus.retrying ?? 0,
        done: byStatus.done ?? 0,
        deadLettered: byStatus.dead ?? 0,
      },
      open: ctx.store.openDeliveries,
      maxPending: ctx.maxPending,
      // True while a burst of events arrives faster than delivery could keep up: deliveries trickle until it ends.
      yieldingToIngest: ctx.priority?.yielding() ?? false,
      dlq: ctx.store.countDlq(),
      routes: ctx.routes.map((r) => r.key),
    });
  });
}

/** The JSON shape of one event and its per-route outcomes. */
export function eventView(
  row: EventRow,
  deliveries: readonly DeliveryRow[],
  worker: { isInFlight(eventId: string, routeKey: string): boolean },
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
    };
  });
  return {
    eventId: row.id,
    status: overall(routes.map((r) => r.status)),
    acceptedAt: iso(row.accepted_at),
    ...(row.replay_of ? { replayOf: row.replay_of, replayName: row.replay_name } : {}),
    event: JSON.parse(row.envelope) as Envelope,
    routes,
  };
}

function overall(statuses: readonly RouteStatus[]): EventStatus {
  if (statuses.length === 0) return "unrouted";
  if (statuses.includes("retrying")) return "retrying";
  if (statuses.includes("pending") || statuses.includes("in-flight")) return "pending";
  return statuses.includes("dead-lettered") ? "dead-lettered" : "done";
}

function dlqView(e: DlqRow) {
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

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function instant(v: unknown, key: string): number {
  const ms = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) {
    throw badRequest(`body.${key} must be an ISO 8601 time or epoch milliseconds`);
  }
  return ms;
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.trunc(n))) : lo;
}
