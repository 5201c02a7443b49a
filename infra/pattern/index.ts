// Placeholder seam: the pattern-engine work replaces this file (validate + compile). See issue 3.
export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
}
export function validate(_pattern: unknown): void {}
