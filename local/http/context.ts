/** What the HTTP routes of the local stack share, built once by `local/app.ts`. */
import type pino from "pino";
import type { RouteRow, StackArns, StackNames } from "../../infra/table";
import type { Bus, ReplayEngine } from "../bus";
import type { DeliveryHandle, IngestPriority, PoolStats } from "../delivery";
import type { EventBridgeContext } from "../eventbridge";
import type { Store } from "../store";
import type { Metrics } from "./metrics";
import type { EventStream } from "./stream";
import type { HttpSettings } from "./settings";
import type { EventValidator } from "./validation";

/** Page sizes and caps of the ops endpoints (`DEFAULTS` in local/options/defaults.ts). */
export interface OpsLimits {
  listLimit: number;
  listMaxLimit: number;
  listMaxBytes: number;
  listScanRows: number;
  treeMaxEvents: number;
}

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
  /** The one replay engine (StartReplay and `POST /local/replay`). */
  readonly replays: ReplayEngine;
  /** The stack's names and ARNs (`infra/table/names.ts`), as the cloud stack has them. */
  readonly names: StackNames;
  readonly arns: StackArns;
  readonly metrics: Metrics;
  /** `GET /local/events/stream`'s clients. */
  readonly stream: EventStream;
  readonly limits: OpsLimits;
  /** Limits and access rules of the server (`local/options/`). */
  readonly http: HttpSettings;
}
