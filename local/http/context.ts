/** What the HTTP routes of the local stack share, built once by `local/app.ts`. */
import type pino from "pino";
import type { RouteRow } from "../../infra/table";
import type { Bus } from "../bus";
import type { DeliveryHandle, IngestPriority } from "../delivery";
import type { EventBridgeContext } from "../eventbridge";
import type { Store } from "../store";
import type { HttpSettings } from "./settings";
import type { EventValidator } from "./validation";

export interface HttpContext {
  readonly routes: readonly RouteRow[];
  readonly store: Store;
  readonly bus: Bus;
  /** The delivery loop, in this thread or the delivery thread. */
  readonly worker: DeliveryHandle;
  readonly validator: EventValidator;
  /** EventBridge's API, answered by `POST /`. */
  readonly eventBridge: EventBridgeContext;
  /** Bound on open deliveries: `POST /events` answers 429 at this size, PutEvents throttles at twice it. */
  readonly maxPending: number;
  readonly log: pino.Logger;
  readonly now: () => Date;
  /** Where deliveries run (`LocalOptions.delivery`). */
  readonly delivery: "thread" | "in-thread";
  /** The ingest-first gate of the in-thread delivery loop (absent with the delivery thread). */
  readonly priority?: IngestPriority;
  /** Limits and access rules of the server (`local/options.ts`). */
  readonly http: HttpSettings;
}
