/**
 * Replays over HTTP, on the same engine as EventBridge's `StartReplay` (`local/bus/replay.ts`):
 * `POST /local/replay` starts one (202), `GET /local/replays` lists them, `GET /local/replays/:name` shows one
 * with its progress, `POST /local/replays/:name/cancel` cancels it.
 */
import type { FastifyInstance } from "fastify";
import { ReplayError } from "../bus";
import { isPlainObject } from "../eventbridge";
import { REPLAY_STATES, type ReplayRow } from "../store";
import type { HttpContext } from "./context";
import { badRequest, conflict, notFound } from "./errors";
import { cursor, limit, onlyKeys, routeKey } from "./query";
import { replayView } from "./views";

export function registerReplays(app: FastifyInstance, ctx: HttpContext): void {
  const view = (r: ReplayRow) => replayView(r, ctx.arns.replay(r.name));

  app.post("/local/replay", (req, reply) => {
    const body = isPlainObject(req.body) ? req.body : {};
    onlyKeys(body, ["from", "to", "name", "route", "routes", "description"]);
    if (body.route !== undefined && body.routes !== undefined) {
      throw badRequest("give body.route or body.routes, not both");
    }
    const from = instant(body.from, "from");
    const to = instant(body.to, "to");
    if (from > to) throw badRequest("body.from must not be after body.to");
    const now = ctx.now().getTime();
    const name =
      body.name === undefined ? `replay-${now}-${Math.random().toString(36).slice(2, 6)}` : body.name;
    if (typeof name !== "string") throw badRequest("body.name must be a string");
    const routes = body.routes ?? (body.route !== undefined ? [body.route] : undefined);
    if (
      routes !== undefined &&
      !(Array.isArray(routes) && routes.length > 0 && routes.every((r) => typeof r === "string"))
    ) {
      throw badRequest("body.route must be a route key, body.routes a non-empty list of them");
    }
    const keys = (routes as string[] | undefined)?.map((r) => routeKey(ctx, r, "body.route") as string);
    if (body.description !== undefined && typeof body.description !== "string") {
      throw badRequest("body.description must be a string");
    }
    const row = replayCall(() =>
      ctx.replays.start({
        name,
        description: body.description as string | undefined,
        from,
        to,
        eventSourceArn: ctx.arns.archive,
        destination: {
          Arn: ctx.arns.bus,
          ...(keys ? { FilterArns: keys.map((k) => ctx.arns.rule(k)) } : {}),
        },
        routeKeys: keys,
      }),
    );
    return reply.code(202).header("location", `/local/replays/${row.name}`).send(view(row));
  });

  app.get<{ Querystring: Record<string, string | undefined> }>("/local/replays", (req, reply) => {
    // Paged by position in name order: `nextCursor` says where the next page starts, so nothing is cut silently.
    const state = req.query.state || undefined;
    if (state !== undefined && !(REPLAY_STATES as readonly string[]).includes(state)) {
      throw badRequest(
        `query state must be one of ${REPLAY_STATES.join(", ")}; got ${JSON.stringify(state)}`,
      );
    }
    const offset = cursor(req.query.cursor) ?? 0;
    const size = limit(req.query.limit, ctx.limits.listLimit, ctx.limits.listMaxLimit);
    const rows = ctx.replays.list({ namePrefix: req.query.prefix, state }, offset, size + 1);
    const page = rows.slice(0, size);
    // `null` on the last page, as the other listings answer.
    const nextCursor = rows.length > size ? String(offset + size) : null;
    return reply.send({ replays: page.map(view), nextCursor });
  });

  app.get<{ Params: { name: string } }>("/local/replays/:name", (req, reply) => {
    return reply.send(view(replayCall(() => ctx.replays.get(req.params.name))));
  });

  app.post<{ Params: { name: string } }>("/local/replays/:name/cancel", (req, reply) => {
    return reply.send(view(replayCall(() => ctx.replays.cancel(req.params.name))));
  });
}

/** Runs a replay-engine call, turning its `ReplayError` into the HTTP error for it. */
function replayCall<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (!(err instanceof ReplayError)) throw err;
    if (err.kind === "not-found") throw notFound(err.message);
    if (err.kind === "invalid") throw badRequest(`body.name: ${err.message}`);
    throw conflict(err.message);
  }
}

function instant(v: unknown, key: string): number {
  const ms = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN;
  // `new Date` is NaN for what no date can hold (1e300) as for what is not a time at all.
  if (Number.isNaN(new Date(ms).getTime())) {
    throw badRequest(`body.${key} must be an ISO 8601 time or epoch milliseconds`);
  }
  return ms;
}
