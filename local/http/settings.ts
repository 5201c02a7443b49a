/** The HTTP server's settings, as `resolveOptions` makes them (defaults in `DEFAULTS`, local/options/defaults.ts). */

/** Who may call the server (enforced by `guard.ts`). */
export interface AccessSettings {
  /** Required in `Authorization`; empty: none. */
  token: string;
  /** `Host` names accepted besides loopback ones; `*` accepts any. */
  allowedHosts: readonly string[];
}

/** Access rules and the limits a slow or greedy client meets (`server.ts`). */
export interface HttpSettings extends AccessSettings {
  /** A request's headers must arrive within this. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection without traffic either way is closed after this. */
  connectionTimeoutMs: number;
  /** Connections at once; further ones are closed at accept. */
  maxConnections: number;
}
