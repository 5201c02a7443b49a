/** One log line per delivery attempt, in whichever thread ran it. */
import type pino from "pino";
import type { DeliveryOutcome } from "./types";

/** Debug when done, warn when retried, error when dead-lettered. */
export function logOutcome(log: pino.Logger, o: DeliveryOutcome): void {
  const fields = { eventId: o.eventId, routeKey: o.routeKey, attempt: o.attempt, error: o.error };
  if (o.status === "done") log.debug(fields, "delivered");
  else if (o.status === "retrying") log.warn(fields, "delivery failed; will retry");
  else log.error(fields, "delivery failed; dead-lettered");
}
