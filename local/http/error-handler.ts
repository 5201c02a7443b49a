/**
 * One error handler for the whole server: Fastify's errors and the catalogue's (`errors.ts`) become the
 * contract's `{"error", "message"}` with its status codes; only genuine server faults become 500. Requests to
 * EventBridge's API (`POST /`) get AWS-style errors instead (`eventbridge.ts`).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  badRequest,
  notFound,
  payloadTooLarge,
  RequestError,
  RETRY_AFTER_SECONDS,
  unsupportedMediaType,
} from "./errors";
import { awsHeaders, errorAnswer } from "../eventbridge";
import { BODY_LIMIT } from "./parsers";

/** Maps Fastify's and our errors to the contract; only genuine server faults become 500. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req) => {
    throw notFound(`no route for ${req.method} ${req.url.split("?")[0]}`);
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
      const answer = errorAnswer(status, type, mapped?.message ?? "internal error");
      return reply.code(answer.status).headers(awsHeaders(answer)).send(answer.body);
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
      return unsupportedMediaType();
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
