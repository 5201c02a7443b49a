/**
 * Operating the local stack: an event's causal tree, paged listings of events and of the DLQ (filters in SQL,
 * a cursor and a byte cap), DLQ redrive, the routes with their names, ARNs and counts, health, metrics and the
 * live stream. All under `/local/` so they never collide with the deployed API's paths; local/README.md has the
 * table of every endpoint's shape.
 */
import type { FastifyInstance } from "fastify";
import { isPlainObject } from "../eventbridge";
import type { HttpContext } from "./context";
import { badRequest, notFound } from "./errors";
import { cursor, limit, onlyKeys, routeKey } from "./query";
import { dlqView, eventView, treeView } from "./views";

export { eventView, type EventStatus, type RouteStatus } from "./views";

type Query = { Querystring: Record<string, string | undefined> };

export function registerOps(app: FastifyInstance, ctx: HttpContext): void {
  const { limits } = ctx;

  app.get<{ Params: { id: string } }>("/local/events/:id", (req, reply) => {
    const row = ctx.store.event(req.params.id);
    if (!row) throw notFound(`event ${req.params.id} is unknown`);
    return reply.send(treeView(row, ctx.store, ctx.worker, limits.treeMaxEvents, limits.listMaxBytes));
  });

  app.get<Query>("/local/events", (req, reply) => {
    const { rows, next } = ctx.store.listEvents({
      before: cursor(req.query.cursor),
      limit: limit(req.query.limit, limits.listLimit, limits.listMaxLimit),
      maxBytes: limits.listMaxBytes,
      scanRows: limits.listScanRows,
      detailType: req.query["detail-type"] || undefined,
      source: req.query.source || undefined,
      route: routeKey(ctx, req.query.route),
    });
    return reply.send({
      events: rows.map((r) => eventView(r, ctx.store.deliveriesOf(r), ctx.worker)),
      nextCursor: next === undefined ? null : String(next),
    });
  });

  app.get<Query>("/local/dlq", (req, reply) => {
    const route = routeKey(ctx, req.query.route);
    const { rows, next } = ctx.store.listDlq({
      after: cursor(req.query.cursor) ?? 0,
      limit: limit(req.query.limit, 100, limits.listMaxLimit),
      maxBytes: limits.listMaxBytes,
      route,
    });
    return reply.send({
      count: ctx.store.countDlqOf(route),
      entries: rows.map(dlqView),
      nextCursor: next === undefined ? null : String(next),
    });
  });

  app.post("/local/dlq/redrive", (req, reply) => {
    const body = req.body ?? {};
    const ids = isPlainObject(body) ? body.ids : undefined;
    if (!isPlainObject(body) || (ids !== undefined && !(Array.isArray(ids) && ids.every(Number.isInteger)))) {
      throw badRequest("body.ids must be an array of DLQ entry ids (omit it to redrive all)");
    }
    onlyKeys(body, ["ids", "route"]);
    if (body.route !== undefined && typeof body.route !== "string") {
      throw badRequest("body.route must be a route key");
    }
    const route = routeKey(ctx, body.route as string | undefined, "body.route");
    // With both, only the ids of that route's dead letters: a route given is never widened.
    const ofRoute = route !== undefined ? openDlqIds(ctx, route) : undefined;
    const chosen = ids
      ? (ids as number[]).filter((id) => ofRoute === undefined || ofRoute.includes(id))
      : ofRoute;
    // The answer's size is bounded however many are redriven: the first entries, and how many were left out.
    const { count, entries } = ctx.store.redrive(chosen, ctx.now().getTime(), ctx.limits.listMaxLimit);
    ctx.worker.poll();
    req.log.info({ count, route }, "DLQ redriven");
    const omitted = count - entries.length;
    return reply.send({
      redriven: count,
      entries: entries.map(dlqView),
      ...(omitted > 0 ? { entriesOmitted: omitted } : {}),
    });
  });

  app.get("/local/routes", (_req, reply) => {
    const { names, arns } = ctx;
    const dlq = ctx.store.dlqByRoute();
    return reply.send({
      eventBusName: names.bus,
      eventBusArn: arns.bus,
      archive: { name: names.archive, arn: arns.archive },
      routes: ctx.routes.map((r) => {
        const n = names.route(r.key);
        return {
          routeKey: r.key,
          description: r.description,
          ruleName: n.rule,
          ruleArn: arns.rule(r.key),
          eventPattern: r.pattern,
          target: { id: n.target, arn: arns.function(r.key), functionName: n.function },
          dlq: { name: n.dlq, arn: arns.dlq(r.key), open: dlq.get(r.key) ?? 0 },
          retry: r.retry,
          ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}),
          ...(r.memoryMb !== undefined ? { memoryMb: r.memoryMb } : {}),
          counts: ctx.metrics.countsOf(r.key),
        };
      }),
    });
  });

  app.get("/local/metrics", async (_req, reply) => {
    const { contentType, text } = await ctx.metrics.scrape();
    return reply.type(contentType).send(text);
  });

  app.get("/local/health", (_req, reply) => {
    // Not ok (503) while the database cannot write: disk full, file deleted or replaced (local/store/monitor.ts).
    const storage = ctx.store.health();
    // Counted as the Store records writes, not in the tables: O(1) however long the stack has run (counts.ts).
    const counts = ctx.store.recordedCounts();
    return reply.code(storage.ok ? 200 : 503).send({
      status: storage.ok ? "ok" : "unavailable",
      storage,
      isolation: ctx.isolation,
      workers: ctx.pool?.stats,
      events: counts.events,
      deliveries: {
        pending: counts.pending,
        inFlight: ctx.worker.inFlight,
        retrying: counts.retrying,
        done: counts.done,
        deadLettered: counts.dead,
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

/** Every open DLQ entry id of `route`, read page by page. */
function openDlqIds(ctx: HttpContext, route: string): number[] {
  const ids: number[] = [];
  let after = 0;
  for (;;) {
    const { rows, next } = ctx.store.listDlq({ after, limit: 1000, maxBytes: Infinity, route });
    ids.push(...rows.map((r) => r.id));
    if (next === undefined) return ids;
    after = next;
  }
}
