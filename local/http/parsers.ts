/**
 * Body parsing: only JSON media types (`application/json`, and `application/x-amz-json-1.1` for EventBridge's
 * API) are parsed, with the edge's one JSON reader (no `__proto__`); every other media type is a 415 from
 * Fastify, mapped by `error-handler.ts`.
 */
import type { FastifyInstance } from "fastify";
import { AMZ_JSON, JsonError, parseJson } from "../eventbridge";
import { badRequest } from "./errors";

/** Fastify refuses bodies above this before parsing; anything between the entry limit and this gets our own 413. */
export const BODY_LIMIT = 1024 * 1024;

export function registerParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", AMZ_JSON],
    { parseAs: "string", bodyLimit: BODY_LIMIT },
    (_req, body, done) => {
      try {
        done(null, parseJson(body as string));
      } catch (err) {
        done(err instanceof JsonError ? badRequest(err.message) : (err as Error), undefined);
      }
    },
  );
}
