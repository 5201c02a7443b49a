/** How a failed attempt is written down (the `error` of its delivery row, DLQ entry and log line). */

/**
 * A failure that the runtime, not the processor, reports (a timeout, a crashed worker), in Lambda's words:
 * recorded as its message alone, without an `Error: ` prefix.
 */
export class RuntimeFailure extends Error {
  override readonly name = "RuntimeFailure";
}

/**
 * Characters of an attempt's error kept (in its delivery row, its attempt history and its DLQ entry): a processor
 * that throws a huge message must not grow the database by that much three times over, at every retry.
 */
export const MAX_ERROR_CHARS = 4096;

/** `Name: message` of a thrown error (as Lambda's `errorType: errorMessage`); a `RuntimeFailure`'s message. */
export function errorText(err: unknown): string {
  if (err instanceof RuntimeFailure) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** An attempt's error as it is recorded: its first `MAX_ERROR_CHARS`, then how long it was. */
export function recordedError(text: string): string {
  if (text.length <= MAX_ERROR_CHARS) return text;
  return `${text.slice(0, MAX_ERROR_CHARS)}… (truncated: ${text.length} characters in all)`;
}
