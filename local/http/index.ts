/**
 * The local stack's HTTP face on Fastify: the deployed API's `POST /events`, EventBridge's JSON API at `POST /`,
 * the `/local/` ops endpoints, the web console at `/console`, body parsing and one error handler. `registerHttp` wires them all.
 */
import type { FastifyInstance } from "fastify";
import type { HttpContext } from "./context";
import { registerErrorHandling } from "./error-handler";
import { registerEventBridgeApi } from "./eventbridge";
import { registerEventsRoute } from "./events";
import { registerGuard } from "./guard";
import { registerOps } from "./ops";
import { registerParsers } from "./parsers";
import { registerReplays } from "./replays";
import { registerConsole } from "./web-console";

export type { HttpContext, OpsLimits } from "./context";
export { entryKind, Metrics, type MetricSources } from "./metrics";
export { EventStream } from "./stream";
export { treeView, type ViewReads } from "./views";
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
export { EventValidator, type EventRequest } from "./validation";

/** Registers the access checks, parsers, the error handler and every route on `app`. */
export function registerHttp(app: FastifyInstance, ctx: HttpContext): void {
  app.server.maxConnections = ctx.http.maxConnections;
  registerGuard(app, ctx.http);
  registerParsers(app);
  registerErrorHandling(app);
  registerEventsRoute(app, ctx);
  registerEventBridgeApi(app, ctx);
  registerOps(app, ctx);
  registerReplays(app, ctx);
  ctx.stream.register(app, ctx);
  registerConsole(app);
}
