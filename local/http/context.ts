/** What the HTTP routes of the local stack share, built once by `local/app.ts`. */
import type pino from "pino";
import type { RouteRow } from "../../infra/table";
import type { Bus } from "../bus";
import type { DeliveryHandle, IngestPriority, PoolStats } from "../delivery";
import type { EventBridgeContext } from "../eventbridge";
import type { Store } from "../store";
import type { EventValidator } from "./validation";

export interface HttpContext {
  readonly routes: readonly RouteRow[];
  readonly store: Store;
  readonly bus: Bus;
  /** The delivery loop. */
  readonly worker: DeliveryHandle;
  readonly validator: EventValidator;
  /** EventBridge's API, answered by `POST /`. */
  readonly eventBridge: EventBridgeContext;
  /** Bound on open deliveries: `POST /events` answers 429 at this size, PutEvents throttles at twice it. */
  readonly maxPending: number;
  readonly log: pino.Logger;
  readonly now: () => Date;
  /** Where processors run (`LocalOptions.isolation`). */
  readonly isolation: "workers" | "none";
  /** The processor workers (absent with `isolation: "none"`). */
  readonly pool?: { readonly stats: PoolStats };
  /** The ingest-first gate of the delivery loop. */
  readonly priority?: IngestPriority;
}
