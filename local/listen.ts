/**
 * Where the local stack listens: loopback unless told otherwise, and beyond it only with a token (refused
 * without one, a warning with one); a port in use or not allowed is a one-line `StartError`. Also the address
 * `ctx.emit` sends to over HTTP, which is this server's own once it listens.
 */
import type { FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import type pino from "pino";
import { isLoopbackName } from "./http";
import { StartError, type ResolvedOptions } from "./options";

/** Listens on `host:port` (port 0: a free one) and resolves with the base URL, e.g. `http://127.0.0.1:3000`. */
export async function listenOn(
  app: FastifyInstance,
  { port, host, token, log }: { port: number; host: string; token: string; log: pino.Logger },
): Promise<string> {
  if (!isLoopbackName(host)) {
    if (!token) {
      throw new StartError(
        `HOST=${host} would expose every endpoint (ops included) beyond this machine; ` +
          "set BACKBONE_TOKEN to a secret that clients then send as Authorization: Bearer <token>",
      );
    }
    log.warn(
      { host },
      "listening beyond loopback: every request needs the token (BACKBONE_TOKEN); Host names must be in BACKBONE_ALLOWED_HOSTS",
    );
  }
  try {
    await app.listen({ port, host });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new StartError(`cannot listen on ${host}:${port}: ${(err as Error).message} (PORT, HOST)`);
    }
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

/** Where `ctx.emit` sends over HTTP: the configured endpoint or port, else this server's socket once it listens. */
export function emitEndpoint(app: FastifyInstance, resolved: ResolvedOptions): () => string {
  return () => {
    if (resolved.emitEndpoint) return resolved.emitEndpoint;
    if (resolved.port) return `http://127.0.0.1:${resolved.port}`;
    const address = app.server.address() as AddressInfo | null;
    if (!address)
      throw new Error("the local stack is not listening, so ctx.emit has no EventBridge endpoint");
    const wildcard = address.address === "0.0.0.0" || address.address === "::";
    const host = wildcard
      ? "127.0.0.1"
      : address.family === "IPv6"
        ? `[${address.address}]`
        : address.address;
    return `http://${host}:${address.port}`;
  };
}
