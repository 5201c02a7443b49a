/**
 * The local bus's durable state in one SQLite file: accepted events, their deliveries, the DLQ and the
 * processors' idempotency results. `Store` is the one class others use; the rest is its parts.
 */
export { Store } from "./store";
export type { StoreOptions } from "./options";
export type { RecordedCounts } from "./counts";
export type { Redriven } from "./outcomes";
export type { EventListQuery } from "./reads";
export type { ReplayRows } from "./replays";
export {
  isSqliteError,
  StorageFault,
  StoreOpenError,
  STORAGE_RETRY_AFTER_SECONDS,
  type FaultKind,
  type StorageHealth,
} from "./faults";
export {
  correlationOf,
  deliveryKey,
  pendingRow,
  REPLAY_STATES,
  type ArchiveRange,
  type AttemptRow,
  type ReplayFilter,
  type ReplayRequest,
  type ReplayRow,
  type ReplayState,
  type ClaimedDelivery,
  type DeliveryRow,
  type DeliveryStatus,
  type DlqRow,
  type EventRow,
  type NewEvent,
} from "./rows";
