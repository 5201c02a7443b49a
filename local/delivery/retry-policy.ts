/**
 * A route's retry policy, applied as EventBridge applies a target's: at most `maximumRetryAttempts` retries after
 * the first attempt, and none that would start once the event is older than `maximumEventAgeSeconds`. Retries
 * back off exponentially: `retryBaseDelayMs`, doubling at each retry, at most `retryMaxDelayMs`.
 */
import type { RouteRow } from "../../infra/table";
import type { DeliverySettings } from "./types";

/** What the policy reads of a delivery whose attempt just failed. */
export interface FailedAttempt {
  /** Attempts made so far, the failed one included. */
  attempts: number;
  /** When the event's age started counting (ms). */
  window_start: number;
}

/** When the next attempt is due (ms), or undefined when the delivery is to be dead-lettered now. */
export function nextAttemptAt(
  retry: RouteRow["retry"],
  d: FailedAttempt,
  now: number,
  settings: Pick<DeliverySettings, "retryBaseDelayMs" | "retryMaxDelayMs">,
): number | undefined {
  const nextAt = now + backoffMs(d.attempts, settings);
  const retriesUsed = d.attempts - 1;
  if (retriesUsed >= retry.maximumRetryAttempts) return undefined;
  if (nextAt - d.window_start > retry.maximumEventAgeSeconds * 1000) return undefined;
  return nextAt;
}

/** The wait after the `attempts`-th attempt failed. */
export function backoffMs(
  attempts: number,
  { retryBaseDelayMs, retryMaxDelayMs }: Pick<DeliverySettings, "retryBaseDelayMs" | "retryMaxDelayMs">,
): number {
  return Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** Math.max(0, attempts - 1));
}
