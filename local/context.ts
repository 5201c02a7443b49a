/** What the HTTP routes of the local stack share. */
import type pino from "pino";
import type { RouteRow } from "../infra/routes";
import type { Bus } from "./bus";
import type { DeliveryWorker } from "./delivery";
import type { Store } from "./store";
import type { EventValidator } from "./validation";

export interface LocalContext {
  readonly routes: readonly RouteRow[];
  readonly store: Store;
  readonly bus: Bus;
  readonly worker: DeliveryWorker;
  readonly validator: EventValidator;
  /** Bound on open deliveries: `POST /events` answers 429 at this size, PutEvents throttles at twice it. */
  readonly maxPending: number;
  /** Names (and ARNs) PutEvents accepts as `EventBusName`; an absent name means the default bus. */
  readonly busNames: ReadonlySet<string>;
  readonly log: pino.Logger;
  readonly now: () => Date;
}
