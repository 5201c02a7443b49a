/** What the HTTP routes of the local stack share, built once by `local/app.ts`. */
import type pino from "pino";
import type { RouteRow, StackArns, StackNames } from "../../infra/table";
import type { Bus, ReplayEngine } from "../bus";
import type { DeliveryHandle, IngestPriority } from "../delivery";
import type { EventBridgeContext } from "../eventbridge";
import type { Store } from "../store";
import type { Metrics } from "./metrics";
import type { EventStream } from "./stream";
import type { HttpSettings } from "./settings";
import type { EventValidator } from "./validation";

/** Page sizes and caps of the ops endpoints (`DEFAULTS` in local/options.ts). */
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
  /** The one replay engine (StartReplay and `POST /local/replay`). */
  readonly replays: ReplayEngine;
  /** The stack's names and ARNs (`infra/table/names.ts`), as the cloud stack has them. */
  readonly names: StackNames;
  readonly arns: StackArns;
  readonly metrics: Metrics;
  /** `GET /local/events/stream`'s clients. */
  readonly stream: EventStream;
  readonly limits: OpsLimits;
  /** Limits and access rules of the server (`local/options.ts`). */
  readonly http: HttpSettings;
}
