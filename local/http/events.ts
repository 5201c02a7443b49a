/**
 * `POST /events`, the deployed API's contract on Fastify: the body is validated against the catalogue, the
 * backlog bound is checked, and the event is group-committed before the 202. Bad input never gets a 5xx.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { API_SOURCE } from "../../infra/table";
import { correlationFor, MetaError, readMeta } from "../eventbridge";
import type { HttpContext } from "./context";
import { badRequest, tooManyRequests, unsupportedMediaType } from "./errors";

/** What Fastify sends for a JSON object, kept for answers written as text. */
const JSON_TYPE = "application/json; charset=utf-8";

export function registerEventsRoute(app: FastifyInstance, ctx: HttpContext): void {
  // API Gateway treats a request without Content-Type as application/json (its passthrough-behaviour docs), so
  // the local stack does too; any other media type is a 415 on both.
  const onRequest = (req: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    if (req.headers["content-type"] === undefined) req.headers["content-type"] = "application/json";
    done();
  };
  app.post("/events", { onRequest }, async (req, reply) => {
    if (!isJson(req.headers["content-type"])) throw unsupportedMediaType();
    const event = ctx.validator.validate(req.body);
    const correlationId = correlationOf(req.headers);
    // Counted once valid: a flood of bad requests must not hold delivery back (nothing it sends is accepted).
    ctx.priority?.arrived(1);
    if (ctx.store.openDeliveries >= ctx.maxPending) {
      throw tooManyRequests(
        `the local backlog is full (${ctx.store.openDeliveries} deliveries pending, limit ${ctx.maxPending}); retry later`,
      );
    }
    const [eventId] = await ctx.bus.putSoon([
      {
        source: API_SOURCE,
        detailType: event.detailType,
        detail: event.detail,
        detailJson: event.detailJson,
        correlationId,
      },
    ]);
    // A UUID needs no escaping: the answer is written as text rather than serialized per request.
    return reply.code(202).type(JSON_TYPE).send(`{"eventId":"${eventId}"}`);
  });
}

/** The event's correlation id from `x-correlation-id` or `traceparent` (local/eventbridge/correlation.ts). */
function correlationOf(headers: FastifyRequest["headers"]): string | undefined {
  // Most requests carry neither header: skip the parse.
  if (headers["x-correlation-id"] === undefined && headers.traceparent === undefined) return undefined;
  try {
    return correlationFor(readMeta((name) => (name === "x-backbone-cause" ? undefined : one(headers[name]))));
  } catch (err) {
    if (err instanceof MetaError) throw badRequest(err.message);
    throw err;
  }
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}
