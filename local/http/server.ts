/**
 * The HTTP server's limits, so a slow or greedy client cannot hold it: Node's header and request timeouts
 * (a client that sends its headers or body slowly gets a 408 and is disconnected), an idle keep-alive timeout,
 * an inactivity timeout, a connection cap, and Fastify's body limit. Values come from `local/options/`.
 */
import type { FastifyHttpOptions } from "fastify";
import type { Server } from "node:http";
import { clientErrorHandler, frameworkErrors } from "./error-handler";
import { BODY_LIMIT } from "./parsers";
import type { HttpSettings } from "./settings";

/** Fastify's server options for `settings` (spread into `Fastify({...})`). */
export function serverOptions(settings: HttpSettings): FastifyHttpOptions<Server> {
  return {
    bodyLimit: BODY_LIMIT,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    connectionTimeout: settings.connectionTimeoutMs,
    http: {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Node checks both timeouts only this often (default 30 s, which would let a slow client stay 40 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(settings),
    frameworkErrors,
  };
}
