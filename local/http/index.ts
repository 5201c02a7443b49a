/**
 * The local stack's HTTP face on Fastify: the deployed API's `POST /events`, EventBridge's JSON API at `POST /`,
 * the `/local/` ops endpoints, body parsing and one error handler. `registerHttp` wires them all.
 */
import type { FastifyInstance } from "fastify";
import type { HttpContext } from "./context";
import { registerErrorHandling } from "./error-handler";
import { registerEventBridgeApi } from "./eventbridge";
import { registerEventsRoute } from "./events";
import { registerGuard } from "./guard";
import { registerOps } from "./ops";
import { registerParsers } from "./parsers";

export type { HttpContext } from "./context";
export {
  badRequest,
  ERROR_NAMES,
  forbidden,
  INTERNAL_ERROR,
  notFound,
  payloadTooLarge,
  RequestError,
  RETRY_AFTER_SECONDS,
  serviceUnavailable,
  tooManyRequests,
  unsupportedMediaType,
} from "./errors";
export { isLoopbackName } from "./guard";
export { BODY_LIMIT } from "./parsers";
export { serverOptions } from "./server";
export type { AccessSettings, HttpSettings } from "./settings";
export { describe as describeErrors, EventValidator, type EventRequest } from "./validation";

/** Registers the access checks, parsers, the error handler and every route on `app`. */
export function registerHttp(app: FastifyInstance, ctx: HttpContext): void {
  app.server.maxConnections = ctx.http.maxConnections;
  registerGuard(app, ctx.http);
  registerParsers(app);
  registerErrorHandling(app);
  registerEventsRoute(app, ctx);
  registerEventBridgeApi(app, ctx);
  registerOps(app, ctx);
}
