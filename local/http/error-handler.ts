/**
 * One error handler for the whole server: Fastify's errors, the catalogue's (`errors.ts`) and storage faults
 * become the contract's `{"error", "message"}` with its status codes; only genuine server faults become 500.
 * Requests to EventBridge's API (`POST /`) get AWS-style errors instead. What Node's HTTP parser refuses before
 * any route (a malformed request, a request line or headers over 16 KB, a request that does not arrive in time)
 * and Fastify's router errors are answered in the contract's shape too (`clientErrorHandler`, `frameworkErrors`).
 */
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { AMZ_JSON, awsHeaders, errorAnswer } from "../eventbridge";
import { isSqliteError, StorageFault, STORAGE_RETRY_AFTER_SECONDS } from "../store";
import {
  badRequest,
  headersTooLarge,
  INTERNAL_ERROR,
  notFound,
  payloadTooLarge,
  RequestError,
  requestTimeout,
  serviceUnavailable,
  unsupportedMediaType,
  uriTooLong,
  type ErrorStatus,
} from "./errors";
import { BODY_LIMIT } from "./parsers";

/** AWS's error type for each status the catalogue answers EventBridge's API with. */
const AWS_TYPES: Partial<Record<ErrorStatus, string>> = {
  400: "SerializationException",
  403: "AccessDeniedException",
  413: "RequestEntityTooLargeException",
  415: "UnsupportedMediaTypeException",
  429: "ThrottlingException",
  503: "ServiceUnavailable",
};

/** Maps Fastify's and our errors to the contract; only genuine server faults become 500. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req) => {
    throw notFound(`no route for ${req.method} ${req.url.split("?")[0]}`);
  });
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toRequestError(err);
    if (req.method === "POST" && req.url.split("?")[0] === "/") {
      const type = mapped ? (AWS_TYPES[mapped.status] ?? "SerializationException") : "InternalException";
      if (!mapped) req.log.error({ err }, "EventBridge API request failed");
      else logRefusal(req.log, req, mapped.status, type, mapped.message);
      const answer = errorAnswer(mapped?.status ?? 500, type, mapped?.message ?? "internal error");
      answer.retryAfterSeconds = mapped?.retryAfterSeconds;
      return reply.code(answer.status).headers(awsHeaders(answer)).send(answer.body);
    }
    if (!mapped) {
      req.log.error({ err }, "request failed");
      return reply.code(500).send({ error: INTERNAL_ERROR, message: "internal error; see the server log" });
    }
    logRefusal(req.log, req, mapped.status, mapped.name, mapped.message);
    return sendError(reply, mapped);
  });
}

/**
 * Logs a refused request once, at info, with the reason the client was given: 4xx only (a 503 is a storage
 * state, logged when it changes). Successful requests are not logged (`disableRequestLogging` in app.ts).
 */
export function logRefusal(
  log: FastifyBaseLogger,
  req: { method: string; url: string } | undefined,
  status: number,
  error: string,
  reason: string,
): void {
  if (status < 400 || status >= 500) return;
  log.info(
    { status, error, reason, ...(req ? { method: req.method, url: redacted(req.url).slice(0, 200) } : {}) },
    "request refused",
  );
}

/** A URL as logged: a `token` query parameter (the console's way in, guard.ts) never reaches the log. */
function redacted(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, "$1<redacted>");
}

/** Sends a catalogue error in the contract's shape. */
export function sendError(reply: FastifyReply, e: RequestError): FastifyReply {
  if (e.retryAfterSeconds !== undefined) void reply.header("retry-after", String(e.retryAfterSeconds));
  return reply.code(e.status).send({ error: e.name, message: e.message });
}

function toRequestError(err: FastifyError): RequestError | undefined {
  if (err instanceof RequestError) return err;
  if (err instanceof StorageFault) return serviceUnavailable(err.message, err.retryAfterSeconds);
  // A read behind an ops endpoint failed: the file is damaged or unreadable now, not the request.
  if (isSqliteError(err as unknown)) {
    return serviceUnavailable(`the database cannot be read: ${err.message}`, STORAGE_RETRY_AFTER_SECONDS);
  }
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      // One parser serves both protocols: name both media types (AWS's SDKs send x-amz-json-1.1 to EventBridge).
      return unsupportedMediaType(
        `Content-Type must be application/json, or ${AMZ_JSON} for EventBridge's API`,
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return payloadTooLarge(`body is over ${BODY_LIMIT} bytes`);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return badRequest("body is empty; expected a JSON object");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return badRequest("Content-Length does not match the body");
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return badRequest(err.message);
  return undefined;
}

/** Fastify's router errors (a malformed path, a path parameter over 100 characters), in the contract's shape. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const e =
    err.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? uriTooLong("a path parameter is over 100 characters")
      : badRequest(`the request path is not valid: ${err.message}`);
  logRefusal(req.log, req, e.status, e.name, e.message);
  void sendError(reply, e);
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request, answered in the contract's shape (Node and
 * Fastify would answer with their own bodies), then the connection is closed.
 */
export function clientErrorHandler(limits: {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}): (this: FastifyInstance, err: LowLevelError, socket: Socket) => void {
  // Fastify calls it with itself as `this`, for its logger.
  return function (this: FastifyInstance, err, socket) {
    // A reset connection has nobody to answer.
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const e = lowLevelError(err, limits);
    logRefusal(this.log, undefined, e.status, e.name, e.message);
    const body = JSON.stringify({ error: e.name, message: e.message });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/** Node's `clientError`: a parser error (`HPE_*`, with the bytes read so far) or a timeout. */
type LowLevelError = Error & { code?: string; rawPacket?: unknown };

function lowLevelError(
  err: LowLevelError,
  limits: { headersTimeoutMs: number; requestTimeoutMs: number },
): RequestError {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return requestTimeout(
      `the request did not arrive in time (headers within ${limits.headersTimeoutMs} ms, ` +
        `the whole request within ${limits.requestTimeoutMs} ms)`,
    );
  }
  if (err.code === "HPE_HEADER_OVERFLOW") {
    // Node counts the request line in its 16 KB header limit: when the line is most of it, the URI is too long.
    const raw = err.rawPacket;
    const text = Buffer.isBuffer(raw) ? raw.toString("latin1") : "";
    const lineEnd = text.indexOf("\r\n");
    const line = lineEnd < 0 ? text.length : lineEnd;
    return line > text.length - line
      ? uriTooLong("the request line (method, path and query) is over 16 KB")
      : headersTooLarge("the request headers are over 16 KB");
  }
  return badRequest(`malformed HTTP request (${err.message})`);
}
