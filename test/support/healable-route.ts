/**
 * A routing-table row whose processor fails until healed, with no retries: its events are dead-lettered at
 * once, and a redrive after `heal()` delivers them (the CLI's and the console's DLQ specs).
 */
import type { RouteRow } from "../../infra/table";
import { AnalyticsEvent } from "../../processors/analytics";
import { defineProcessor } from "../../processors/runtime";

export interface HealableRoute {
  row: RouteRow;
  heal(): void;
  break(): void;
}

/** Route `key` on `analytics-event`, failing with "warehouse unavailable" until `heal()`. */
export function healableRoute(key = "warehouse"): HealableRoute {
  let healed = false;
  const row: RouteRow = {
    key,
    description: "test route: fails until healed",
    pattern: { "detail-type": ["analytics-event"] },
    processor: defineProcessor({
      name: key,
      detailType: "analytics-event",
      schema: AnalyticsEvent,
      handle: () => {
        if (!healed) throw new Error("warehouse unavailable");
        return { stored: true };
      },
    }),
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
  };
  return {
    row,
    heal() {
      healed = true;
    },
    break() {
      healed = false;
    },
  };
}
