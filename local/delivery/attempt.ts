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

/**
 * `Name: message` of a thrown error (as Lambda's `errorType: errorMessage`); a `RuntimeFailure`'s message. Cut to
 * `MAX_ERROR_CHARS`, saying how long it was.
 */
export function errorText(err: unknown): string {
  let text: string;
  if (err instanceof RuntimeFailure) text = err.message;
  else if (err instanceof Error) text = `${err.name}: ${err.message}`;
  else text = String(err);
  // Room for the note, so a text cut once (in the processor's worker) passes the main thread's call unchanged.
  if (text.length <= MAX_ERROR_CHARS + 64) return text;
  return `${text.slice(0, MAX_ERROR_CHARS)}… (truncated: ${text.length} characters in all)`;
}
