/** The messages between the pool (`pool.ts`, `route-worker.ts`) and a processor's worker (`worker.ts`). */
import type { BusEntry } from "../../bus";
import type { CrashReport } from "./crash";

/** What a worker is started with (`workerData`): plain data, so it can be posted. */
export interface WorkerData {
  /** Absolute path of the module exporting `routes: RouteRow[]`. */
  routesModule: string;
  /** The route whose processor this worker runs. */
  routeKey: string;
  /**
   * Its processor's detail validator as code (`detailCheckCode`), made once per route by the main thread: a
   * worker then loads no ajv and compiles nothing (profiled: a worker's start went from ~0.32 to ~0.17 s of CPU).
   */
  detailCheckCode: string;
  region: string;
  account: string;
  busName: string;
  /** Other names PutEvents accepts for the bus. */
  busAliases: string[];
  maxPending: number;
  /** The Store's open-deliveries counter (shared memory): PutEvents throttles on it, as on the main thread. */
  openCounter: Int32Array;
  /** pino level of the processors' log lines, and whether to pretty-print them (a terminal). */
  log: { level: string; pretty: boolean };
  /** `ctx.emit` over HTTP to this endpoint; in process (through the main thread's bus) when absent. */
  emitEndpoint?: string;
  /** Sent with the processor's PutEvents so its cause is accepted (`EventBridgeContext.emitKey`). */
  emitKey: string;
}

/** One attempt handed to the worker. */
export interface RunItem {
  id: number;
  /** The event, as the bus stored it (parsed in the worker, not on the thread that answers HTTP). */
  envelope: string;
  /** The stored result of an earlier attempt (a redelivery), read by the main thread; absent when none. */
  seen?: { result: unknown };
  /** The event's stored correlation id (absent: its id stands for it), which its follow-ups inherit. */
  correlationId?: string;
}

/** How an attempt ended inside the worker. */
export type RunResult =
  { id: number; ok: true; result: unknown; stored: boolean } | { id: number; ok: false; error: string };

/** Messages to a worker, batched per turn of the main thread. */
export interface ToWorker {
  runs: RunItem[];
  /** Attempts the main thread gave up on (timed out): the worker refuses their emits from now on. */
  ended: number[];
}

/** Messages from a worker. */
export type FromWorker =
  | { type: "ready" }
  | { type: "results"; results: RunResult[] }
  | { type: "put"; attempt: number; entries: BusEntry[] }
  | ({ type: "crash" } & CrashReport);
