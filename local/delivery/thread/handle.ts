/**
 * The main thread's handle on the delivery thread (whose own code is `worker.ts`): starts it, posts it the events each
 * commit accepted, commits its writes and its processors' emits (this thread is SQLite's only writer), mirrors
 * which attempts run (for `GET /local/events/:id` and health), forwards outcomes, and restarts it if it dies
 * (a processor that crashes its thread, for instance): ingest carries on meanwhile, and the new thread reads
 * everything still open from SQLite, like a restarted process.
 */
import type pino from "pino";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { BusEntry, Commit } from "../../bus";
import { deliveryKey, type NewEvent, type Store } from "../../store";
import type { DeliveryHandle, DeliveryOutcome } from "../types";
import type { FromThread, ThreadData, ThreadSettings, ToThread } from "./messages";

/**
 * Loads the thread. Under ts-node (`npm start`, mocha, benches) the thread must transpile the TypeScript it
 * loads; doing that on every start took ~1.9 s here (0.5–0.9 s with this cache), so outputs are cached on disk
 * by file and source hash, and ts-node (with the project's tsconfig) is only loaded for a file that changed.
 */
const BOOTSTRAP = `
const { workerData, threadId } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
const { createHash } = require("node:crypto");
if (workerData.tsNode) {
  let service;
  require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const hash = createHash("sha1").update(filename).update("\\0").update(source).digest("hex");
    const file = path.join(workerData.cacheDir, hash + ".js");
    let js;
    try {
      js = fs.readFileSync(file, "utf8");
    } catch {
      service ??= require(workerData.tsNode).create({ transpileOnly: true, project: workerData.tsconfig });
      js = service.compile(source, filename);
      try {
        fs.mkdirSync(workerData.cacheDir, { recursive: true });
        const tmp = file + "." + process.pid + "-" + threadId;
        fs.writeFileSync(tmp, js);
        fs.renameSync(tmp, file);
      } catch {
        // A read-only tree: the next start transpiles again.
      }
    }
    module._compile(js, filename);
  };
}
require(workerData.entry);
`;

/** Project root (for the transpile cache and tsconfig). */
const ROOT = resolve(__dirname, "..", "..", "..");

/** Restart delays after a crash: doubling from the first to the last, reset once a thread ran a while. */
const RESTART_MS = { first: 250, max: 10_000, stableAfter: 30_000 };

/** Commits entries the thread's processors emitted (the app's bus group commit) and resolves with their ids. */
export type CommitEntries = (entries: readonly BusEntry[]) => Promise<string[]>;

export class DeliveryThread implements DeliveryHandle {
  private worker: Worker | undefined;
  private readonly inFlightKeys = new Set<string>();
  private startMessage: Extract<ToThread, { type: "start" }> | undefined;
  private stopping = false;
  private restartDelay = RESTART_MS.first;
  private restartTimer: NodeJS.Timeout | undefined;
  private spawnedAt = 0;
  private stopped: (() => void) | undefined;
  private restarted = false;
  private markReady: (() => void) | undefined;
  /** Resolves once the first thread has loaded the routing table and listens for work (or has died). */
  readonly ready: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly settings: ThreadSettings,
    private readonly log: pino.Logger,
    /** Commits what the thread's processors emit: this thread is SQLite's only writer. */
    private readonly commit: CommitEntries,
    private readonly onOutcome?: (outcome: DeliveryOutcome) => void,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.spawn();
  }

  /** Starts delivering; `endpoint` is where emits go with `emitTransport: "http"`. */
  start(endpoint?: string): void {
    if (this.startMessage || this.stopping) return;
    this.startMessage = { type: "start", endpoint };
    this.post(this.startMessage);
  }

  enqueue(events: readonly NewEvent[], { seq }: Commit): void {
    let routed = false;
    for (const e of events) if (e.routeKeys.length > 0) routed = true;
    // Unrouted events have nothing to deliver, but `seq` still moves the thread's disk bound.
    this.post({ type: "events", events: routed ? [...events] : [], seq });
  }

  poll(): void {
    this.post({ type: "poll", seq: this.store.maxSeq() });
  }

  isInFlight(eventId: string, routeKey: string): boolean {
    return this.inFlightKeys.has(deliveryKey(eventId, routeKey));
  }

  get inFlight(): number {
    return this.inFlightKeys.size;
  }

  /** Stops the thread: attempts in progress get `graceMs`, outcomes are committed, its connection closes. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.stopped = resolve;
      worker.once("exit", () => resolve());
      timer = setTimeout(resolve, graceMs + 5000);
      worker.postMessage({ type: "stop", graceMs } satisfies ToThread);
    });
    clearTimeout(timer);
    await worker.terminate();
    this.worker = undefined;
  }

  private post(message: ToThread): void {
    // While a crashed thread is being replaced, its successor reads all open work from disk.
    this.worker?.postMessage(message);
  }

  private spawn(): void {
    // The dead thread's settled-but-uncommitted deliveries were counted as settled; its last messages are
    // handled by now, so count from disk.
    if (this.restarted) this.store.recountOpen();
    this.restarted = true;
    const underTsNode = __filename.endsWith(".ts");
    const data: ThreadData & { entry: string; tsNode?: string; tsconfig: string; cacheDir: string } = {
      ...this.settings,
      openCounter: this.store.openCounter,
      startSeq: this.store.maxSeq(),
      reportOutcomes: this.onOutcome !== undefined,
      entry: require.resolve("./worker"),
      tsNode: underTsNode ? require.resolve("ts-node") : undefined,
      tsconfig: resolve(ROOT, "tsconfig.json"),
      cacheDir: resolve(ROOT, "node_modules/.cache/backbone-delivery-thread"),
    };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data });
    this.worker = worker;
    this.spawnedAt = Date.now();
    worker.on("message", (m: FromThread) => this.receive(worker, m));
    worker.on("error", (err) => this.log.error({ err }, "delivery thread failed"));
    worker.on("exit", (code) => this.exited(worker, code));
    if (this.startMessage) worker.postMessage(this.startMessage);
  }

  private receive(worker: Worker, m: FromThread): void {
    // A thread still finishing after `stop` timed out may write late: the database may be closed by then.
    if (!this.store.db.open) return;
    switch (m.type) {
      case "ready":
        return this.markReady?.();
      case "stopped":
        return this.stopped?.();
      case "put":
        return void this.commit(m.entries).then(
          (ids) => worker.postMessage({ type: "put-done", id: m.id, ids } satisfies ToThread),
          (err: unknown) =>
            worker.postMessage({ type: "put-done", id: m.id, error: String(err) } satisfies ToThread),
        );
    }
    if (m.type === "writes") {
      this.store.applyWrites(m.batch);
      worker.postMessage({ type: "confirm", id: m.batch.id } satisfies ToThread);
    }
    for (const key of m.started) this.inFlightKeys.add(key);
    for (const key of m.ended) this.inFlightKeys.delete(key);
    if (this.onOutcome) for (const o of m.outcomes) this.onOutcome(o);
  }

  private exited(worker: Worker, code: number): void {
    this.markReady?.();
    if (this.stopping || worker !== this.worker) return;
    this.worker = undefined;
    this.inFlightKeys.clear();
    if (Date.now() - this.spawnedAt > RESTART_MS.stableAfter) this.restartDelay = RESTART_MS.first;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(RESTART_MS.max, delay * 2);
    this.log.error({ code, restartInMs: delay }, "delivery thread exited; restarting it");
    this.restartTimer = setTimeout(() => this.spawn(), delay);
  }
}
