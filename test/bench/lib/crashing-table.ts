/**
 * The memory bench's routing table (`routesModule`): the default table plus `sometimes`, a second route on
 * `analytics-event` whose processor crashes its worker (in one of three ways: a throw in a timer, an unhandled
 * rejection, `process.exit`) on one event id in 2,000, chosen by hash so a run is repeatable. No retry: each
 * such event is dead-lettered on that route after one crash.
 */
import { routes as defaultRoutes } from "../../../infra/routes";
import type { RouteRow } from "../../../infra/table";
import { defineProcessor } from "../../../processors/runtime";
import { die } from "../../local/delivery/fixtures/crash-routes";

/** One event id in `RATE` crashes the `sometimes` route. */
export const RATE = 2000;
const MODES = ["throw-in-timer", "reject-unhandled", "exit"];

/** FNV-1a of the id. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const analytics = defaultRoutes.find((r) => r.key === "analytics-event");
if (!analytics) throw new Error("the default table has no analytics-event route");

export const routes: readonly RouteRow[] = [
  ...defaultRoutes,
  {
    key: "sometimes",
    description: "crashes its worker on one analytics event in 2,000",
    pattern: { "detail-type": ["analytics-event"] },
    processor: defineProcessor({
      name: "sometimes",
      detailType: "analytics-event",
      schema: analytics.processor.schema,
      handle: async (event) => {
        const h = hash(event.id);
        if (h % RATE === 0) return die(MODES[(h >>> 11) % MODES.length]);
        return { ok: true };
      },
    }),
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 },
  },
];
