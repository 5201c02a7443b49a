/** What the HTTP routes of the local stack share. */
import type pino from "pino";
import type { RouteRow } from "../infra/table";
import type { Bus, BusEntry } from "./bus";
import type { DeliveryHandle } from "./delivery";
import type { IngestPriority } from "./ingest-priority";
import type { Store } from "./store";
import type { EventValidator } from "./validation";

export interface LocalContext {
  readonly routes: readonly RouteRow[];
  readonly store: Store;
  readonly bus: Bus;
  /** Commits entries now and resolves with their ids (PutEvents; the delivery thread asks the main thread). */
  readonly commit: (entries: readonly BusEntry[]) => Promise<string[]>;
  readonly worker: DeliveryHandle;
  readonly validator: EventValidator;
  /** Bound on open deliveries: `POST /events` answers 429 at this size, PutEvents throttles at twice it. */
  readonly maxPending: number;
  /** Names (and ARNs) PutEvents accepts as `EventBusName`; an absent name means the default bus. */
  readonly busNames: ReadonlySet<string>;
  /** The default bus's name and ARN: events put there reach no route. */
  readonly defaultBusNames: ReadonlySet<string>;
  readonly log: pino.Logger;
  readonly now: () => Date;
  /** Where deliveries run (`LocalOptions.delivery`). */
  readonly delivery: "thread" | "in-thread";
  /** The ingest-first gate of the in-thread delivery loop (absent with the delivery thread). */
  readonly priority?: IngestPriority;
}
