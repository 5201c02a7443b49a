/**
 * The EventBridge event-pattern engine (issue 3): validation as AWS does it, and an indexed matcher for a
 * whole routing table. No Pulumi or server imports: the cloud stack validates with it, the local stack routes.
 */
import { compileBranches, type Matcher } from "./compile";
import { normalize } from "./validate";

export type { Matcher } from "./compile";
export { InvalidEventError } from "./event";
export { MAX_OR_COMBINATIONS, MAX_PATTERN_CHARS } from "./ast";

/** Thrown by `validate` and `compile` with the reason AWS's InvalidEventPatternException would give. */
export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
}

/** The reason EventBridge would reject `pattern` (object or exact JSON text), or undefined when it is valid. */
export function check(pattern: unknown): string | undefined {
  const result = normalize(pattern);
  return "reason" in result ? result.reason : undefined;
}

/** Throws `InvalidEventPatternError` when EventBridge would reject `pattern`. */
export function validate(pattern: unknown): void {
  const reason = check(pattern);
  if (reason !== undefined) throw new InvalidEventPatternError(reason);
}

/**
 * Compiles the patterns of a routing table (objects or exact JSON text) into one matcher.
 * Throws `InvalidEventPatternError` naming the first row whose pattern AWS would reject.
 */
export function compile(rows: readonly { key: string; pattern: unknown }[]): Matcher {
  return compileBranches(
    rows.map((row) => {
      const result = normalize(row.pattern);
      if ("reason" in result) throw new InvalidEventPatternError(`Route "${row.key}": ${result.reason}`);
      return { key: row.key, branches: result.branches };
    }),
  );
}

const single = new WeakMap<object, Matcher>();

/**
 * Does `pattern` match `event` (object or JSON text)? Throws `InvalidEventPatternError` for an invalid pattern.
 * A pattern object is compiled once and cached, so treat it as immutable after the first call.
 */
export function matches(pattern: unknown, event: unknown): boolean {
  let matcher = typeof pattern === "object" && pattern !== null ? single.get(pattern) : undefined;
  if (!matcher) {
    const result = normalize(pattern);
    if ("reason" in result) throw new InvalidEventPatternError(result.reason);
    matcher = compileBranches([{ key: "pattern", branches: result.branches }]);
    if (typeof pattern === "object" && pattern !== null) single.set(pattern, matcher);
  }
  return matcher.match(event).length > 0;
}
