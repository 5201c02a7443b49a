// Seam for the pattern engine (issue 3). The engine work replaces this whole file; the exported API stays.
/** Thrown by `validate` with the reason AWS's InvalidEventPatternException would give. */
export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
}
/** The reason EventBridge would reject `pattern` (object or exact JSON text), or undefined when it is valid. */
export function check(_pattern: unknown): string | undefined {
  return undefined;
}
/** Throws `InvalidEventPatternError` when EventBridge would reject `pattern`. */
export function validate(pattern: unknown): void {
  const reason = check(pattern);
  if (reason !== undefined) throw new InvalidEventPatternError(reason);
}
/** A compiled set of routes. */
export interface Matcher {
  /** Keys of every row whose pattern matches `event`. */
  match(event: unknown): string[];
}
export function compile(_rows: readonly { key: string; pattern: unknown }[]): Matcher {
  throw new Error("pattern engine not built yet");
}
