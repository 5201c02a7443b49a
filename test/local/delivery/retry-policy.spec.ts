/**
 * A route's retry policy (local/delivery/retry-policy.ts), as EventBridge applies a target's: the retry count and
 * the event's age both bound the retries, and the wait doubles up to its cap.
 */
import { expect } from "chai";
import { backoffMs, nextAttemptAt } from "../../../local/delivery/retry-policy";

const settings = { retryBaseDelayMs: 1000, retryMaxDelayMs: 60_000 };
const NOW = 1_000_000;

describe("local stack: a route's retry policy", () => {
  const twoRetries = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 };
  const noRetries = { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 };
  const aMinute = { maximumRetryAttempts: 5, maximumEventAgeSeconds: 61 };
  /** [case, policy, attempts so far, event age (ms), next attempt due]. */
  const cases: [string, typeof twoRetries, number, number, number | undefined][] = [
    ["the first failure of a fresh event waits the base delay", twoRetries, 1, 0, NOW + 1000],
    ["the last retry the count allows doubles the wait", twoRetries, 2, 1000, NOW + 2000],
    ["a failure after every retry is dead-lettered", twoRetries, 3, 3000, undefined],
    ["no retries configured: the first failure is dead-lettered", noRetries, 1, 0, undefined],
    ["a retry that would start exactly at the age limit still runs", aMinute, 1, 60_000, NOW + 1000],
    ["a retry that would start past the age limit does not", aMinute, 1, 60_001, undefined],
  ];
  for (const [name, retry, attempts, ageMs, due] of cases) {
    it(name, () => {
      const d = { attempts, window_start: NOW - ageMs };

      const nextAt = nextAttemptAt(retry, d, NOW, settings);

      expect(nextAt).to.equal(due);
    });
  }

  it("doubles the wait at each retry up to its cap", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((attempts) => backoffMs(attempts, settings));

    expect(waits).to.deep.equal([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });
});
