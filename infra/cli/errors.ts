/**
 * The CLI's two kinds of failure, each reported as one line on stderr, never a stack trace:
 * - `UsageError` (exit 2): the command could not run at all: an unknown command or flag, a bad value, an
 *   endpoint that does not answer, missing credentials or a missing stack output.
 * - `CommandFailed` (exit 1): it ran and the target said no: an unknown event id, a replay that failed.
 */

/** Exit code of a command that could not run. */
export const EXIT_USAGE = 2;
/** Exit code of a command the target answered with a failure. */
export const EXIT_FAILED = 1;

export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}

export class CommandFailed extends Error {
  readonly exitCode = EXIT_FAILED;
}

/** The error's own words, on one line (causes joined), for the report on stderr. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, "; ").trim();
}

/**
 * A failed `fetch` or AWS SDK call that never reached a server (refused, unknown host, reset), as a
 * `UsageError` naming what was being reached; any other error is returned as it is.
 */
export function unreachable(err: unknown, what: string): unknown {
  const code = networkCode(err);
  return code === undefined ? err : new UsageError(`cannot reach ${what} (${code})`);
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/** The system error code of a connection failure, looked for on the error and its causes. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    // AggregateError (several addresses tried, as for `localhost`).
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) {
      const c = networkCode(inner);
      if (c) return c;
    }
  }
  return undefined;
}
