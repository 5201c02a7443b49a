/** What the HTTP routes of the local stack share, built once by `local/app.ts`. */
import type pino from "pino";
import type { RouteRow, StackArns, StackNames } from "../../infra/table";
import type { Bus, ReplayEngine } from "../bus";
import type { DeliveryHandle, IngestPriority, PoolStats } from "../delivery";
import type { EventBridgeContext } from "../eventbridge";
import type { DlqRow, EventListQuery, EventRow, RecordedCounts, Redriven, StorageHealth } from "../store";
import type { Metrics } from "./metrics";
import type { EventStream } from "./stream";
import type { HttpSettings } from "./settings";
import type { EventValidator } from "./validation";
import type { ViewReads } from "./views";

/**
 * What the HTTP routes read and ask of the Store (`local/store/store.ts` implements it). A port rather than the
 * Store class, so local/http depends on the rows' shapes and not on how the Store is built.
 */
export interface HttpStore extends ViewReads {
  /** Deliveries pending, in flight or waiting for a retry (the backlog bound). */
  readonly openDeliveries: number;
  event(id: string): EventRow | undefined;
  listEvents(query: EventListQuery): { rows: EventRow[]; next?: number };
  listDlq(query: { after: number; limit: number; maxBytes: number; route?: string }): {
    rows: DlqRow[];
    next?: number;
  };
  countDlq(): number;
  countDlqOf(route?: string): number;
  dlqByRoute(): Map<string, number>;
  redrive(ids: readonly number[] | undefined, now: number, keep: number): Redriven;
  health(): StorageHealth;
  recordedCounts(): RecordedCounts;
}

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
  readonly store: HttpStore;
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
