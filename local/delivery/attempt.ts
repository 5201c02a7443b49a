/** How a failed attempt is written down (the `error` of its delivery row, DLQ entry and log line). */

/**
 * A failure that the runtime, not the processor, reports (a timeout, a crashed worker), in Lambda's words:
 * recorded as its message alone, without an `Error: ` prefix.
 */
export class RuntimeFailure extends Error {
  override readonly name = "RuntimeFailure";
}

/** `Name: message` of a thrown error (as Lambda's `errorType: errorMessage`); a `RuntimeFailure`'s message. */
export function errorText(err: unknown): string {
  if (err instanceof RuntimeFailure) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
