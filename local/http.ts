/**
 * The deployed API's contract on Fastify: JSON parsing (no `__proto__`), `POST /events`, and one error handler
 * that turns every client error into `{"error", "message"}` with the contract's status codes. Bad input never
 * gets a 5xx. Requests to the EventBridge API (`POST /`) get AWS-style errors instead (see eventbridge-api.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { API_SOURCE } from "../infra/table";
import type { LocalContext } from "./context";
import { awsError } from "./eventbridge-api";
import { parseJson, RequestError } from "./validation";

/** Fastify refuses bodies above this before parsing; anything between 256 KB and this gets our own 413. */
export const BODY_LIMIT = 1024 * 1024;

/** What Fastify sends for a JSON object, kept for answers written as text. */
const JSON_TYPE = "application/json; charset=utf-8";

/** Seconds a throttled client is asked to wait. */
export const RETRY_AFTER_SECONDS = 1;

/** Only JSON bodies are parsed; every other media type is a 415 from Fastify, mapped below. */
export function registerParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "application/x-amz-json-1.1"],
    { parseAs: "string", bodyLimit: BODY_LIMIT },
    (_req, body, done) => {
      try {
        done(null, parseJson(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}

export function registerEventsRoute(app: FastifyInstance, ctx: LocalContext): void {
  // API Gateway treats a request without Content-Type as application/json (its passthrough-behaviour docs), so
  // the local stack does too; any other media type is a 415 on both.
  const onRequest = (req: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    if (req.headers["content-type"] === undefined) req.headers["content-type"] = "application/json";
    done();
  };
  app.post("/events", { onRequest }, async (req, reply) => {
    if (!isJson(req.headers["content-type"])) {
      throw new RequestError(415, "UnsupportedMediaType", "Content-Type must be application/json");
    }
    const event = ctx.validator.validate(req.body);
    // Counted once valid: a flood of bad requests must not hold delivery back (nothing it sends is accepted).
    ctx.priority?.arrived(1, ctx.now().getTime());
    if (ctx.store.openDeliveries >= ctx.maxPending) {
      throw new RequestError(
        429,
        "TooManyRequests",
        `the local backlog is full (${ctx.store.openDeliveries} deliveries pending, limit ${ctx.maxPending}); retry later`,
      );
    }
    const [eventId] = await ctx.bus.putSoon([
      {
        source: API_SOURCE,
        detailType: event.detailType,
        detail: event.detail,
        detailJson: event.detailJson,
      },
    ]);
    // A UUID needs no escaping: the answer is written as text rather than serialized per request.
    return reply.code(202).type(JSON_TYPE).send(`{"eventId":"${eventId}"}`);
  });
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}

/** Maps Fastify's and our errors to the contract; only genuine server faults become 500. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send({ error: "NotFound", message: `no route for ${req.method} ${req.url.split("?")[0]}` });
  });
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toRequestError(err);
    if (req.url === "/" && req.method === "POST") {
      const status = mapped?.status === 413 ? 413 : mapped ? 400 : 500;
      const type = mapped
        ? status === 413
          ? "RequestEntityTooLargeException"
          : "SerializationException"
        : "InternalException";
      if (!mapped) req.log.error({ err }, "EventBridge API request failed");
      return awsError(reply, status, type, mapped?.message ?? "internal error");
    }
    if (!mapped) {
      req.log.error({ err }, "request failed");
      return reply.code(500).send({ error: "InternalError", message: "internal error; see the server log" });
    }
    if (mapped.status === 429) void reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    return reply.code(mapped.status).send({ error: mapped.name, message: mapped.message });
  });
}

function toRequestError(err: FastifyError): RequestError | undefined {
  if (err instanceof RequestError) return err;
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new RequestError(415, "UnsupportedMediaType", "Content-Type must be application/json");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new RequestError(413, "PayloadTooLarge", `body is over ${BODY_LIMIT} bytes`);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new RequestError(400, "BadRequestBody", "body is empty; expected a JSON object");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new RequestError(400, "BadRequestBody", "Content-Length does not match the body");
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return new RequestError(400, "BadRequestBody", err.message);
  return undefined;
}
