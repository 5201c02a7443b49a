/** The messages between the main thread (`handle.ts`) and the delivery thread (`worker.ts`), and its start data. */
import type { BusEntry } from "../../bus";
import type { NewEvent, WriteBatch } from "../../store";
import type { DeliveryOutcome, DeliverySettings } from "../types";

/** The settings of a delivery thread, as the app resolves them (`local/options.ts`). */
export interface ThreadSettings {
  dbPath: string;
  /** Absolute path of a module exporting `routes: RouteRow[]`. */
  routesModule: string;
  /** The envelope's region and account, and the bus emits go to. */
  region: string;
  account: string;
  busName: string;
  maxPending: number;
  delivery: DeliverySettings;
  log: { level: string; pretty: boolean };
  /** `ctx.emit` over HTTP to the endpoint sent with `start`; in process otherwise. */
  emitOverHttp: boolean;
  /** The Store's cap on a stored processor result (`StoreOptions.maxResultBytes`). */
  maxResultBytes: number;
}

/** What `DeliveryThread` passes at start (`workerData`): the settings and the thread's shared state. */
export interface ThreadData extends ThreadSettings {
  /** The Store's shared counters: open deliveries, and the storage-fault pause (shared memory). */
  openCounter: Int32Array;
  /** Highest event `seq` committed before this thread started: older work is read from disk. */
  startSeq: number;
  /** Post every outcome back (the main thread has an `onOutcome` listener). */
  reportOutcomes: boolean;
}

/** Messages from the main thread. */
export type ToThread =
  | { type: "events"; events: NewEvent[]; seq: number }
  | { type: "poll"; seq: number }
  | { type: "confirm"; id: number }
  | { type: "put-done"; id: number; ids?: string[]; error?: string }
  | { type: "start"; endpoint?: string }
  | { type: "stop"; graceMs: number };

/** Attempts started and ended, and their outcomes (for an `onOutcome` listener), since the last message. */
export interface AttemptState {
  started: string[];
  ended: string[];
  outcomes: DeliveryOutcome[];
}

/** Messages to the main thread, batched per event-loop turn. */
export type FromThread =
  | ({ type: "state" } & AttemptState)
  | ({ type: "writes"; batch: WriteBatch } & AttemptState)
  | { type: "put"; id: number; entries: BusEntry[] }
  | { type: "ready" }
  | { type: "stopped" };
