/**
 * When to try again: exponential backoff with full jitter (a random delay between 0 and
 * `min(maxDelayMs, baseDelayMs * 2^(retry-1))`), unless the server said when with `Retry-After`, which wins.
 * Pure functions: the clock and the random source are arguments.
 */

/** The retry policy; every field has a default (`RETRY_DEFAULTS`). */
export interface RetryOptions {
  /** Requests per event, the first included (default 5). 1 turns retries off. */
  readonly maxAttempts?: number;
  /** The first retry's delay ceiling, in ms (default 100). */
  readonly baseDelayMs?: number;
  /** No computed delay exceeds this, in ms (default 5,000). `Retry-After` is honoured above it. */
  readonly maxDelayMs?: number;
  /** No retry starts after this much time since the first attempt, in ms (default 30,000). */
  readonly maxElapsedMs?: number;
}

/** The defaults of `RetryOptions`. */
export const RETRY_DEFAULTS: Required<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxElapsedMs: 30_000,
};

/** Whether an answer with this status is worth another try: throttled (429) or a server failure (5xx). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * The delay `Retry-After` asks for, in ms: delta-seconds (`"3"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00
 * GMT"`, counted from `nowMs`, 0 when past). `undefined` when absent or unreadable (then the backoff applies).
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday; anything else (e.g. "1.5", "soon") is not one.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The full-jitter delay before retry number `retry` (1 for the first retry); `random` returns [0, 1). */
export function backoffMs(retry: number, options: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** The policy with defaults filled in; throws a `RangeError` naming a field that makes no sense. */
export function retryPolicy(options: RetryOptions = {}): Required<RetryOptions> {
  const policy = { ...RETRY_DEFAULTS, ...definedOnly(options) };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  for (const key of ["baseDelayMs", "maxDelayMs", "maxElapsedMs"] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new RangeError(`retry.${key} must be a number >= 0, got ${policy[key]}`);
    }
  }
  return policy;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
