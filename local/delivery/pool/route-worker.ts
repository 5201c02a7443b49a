/**
 * The main thread's side of one processor worker (`worker.ts`): starts it with the route's heap limit, hands it
 * attempts (in one message per turn), times each attempt, commits what its processor emits (and takes an
 * attempt's outcome only once those commits are done), and, when the worker dies, fails exactly the attempts it
 * held with Lambda's words for how it died (`crash.ts`).
 *
 * An attempt's timer starts when the attempt reaches a started worker: start-up (loading the routing table)
 * is not the processor's time, as Lambda's init phase is not the invocation's. A worker that does not start
 * within `startTimeoutMs` is stopped and fails what waited for it.
 */
import { Worker } from "node:worker_threads";
import type { BusEntry } from "../../bus";
import { errorText, RuntimeFailure } from "../attempt";
import { BOOTSTRAP, bootData, workerExecArgv } from "./bootstrap";
import { deathText, timeoutText, type CrashReport, type WorkerDeath } from "./crash";
import type { FromWorker, RunItem, RunResult, ToWorker, WorkerData } from "./messages";

/** What a `RouteWorker` needs from its pool. */
export interface RouteWorkerSetup {
  data: WorkerData;
  /** The route's `memoryMb`: the worker's V8 heap limit (old generation). */
  memoryMb: number;
  startTimeoutMs: number;
  /** Commits entries its processor emitted (the bus's group commit) and resolves with their ids. */
  commit: (entries: readonly BusEntry[]) => Promise<string[]>;
  /** Told once the worker is gone; `death` says how, unless the pool stopped it. */
  onGone: (worker: RouteWorker, death: WorkerDeath | undefined, failed: number) => void;
  /** Told when an attempt timed out: the pool stops giving this worker new attempts. */
  onTimeout: (worker: RouteWorker) => void;
}

/** A successful attempt: its result, and whether the runtime asked to keep it (idempotency). */
export interface RunOutcome {
  result: unknown;
  stored: boolean;
}

interface Held {
  item: RunItem;
  timeoutSeconds: number;
  resolve: (outcome: RunOutcome) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  /** Commits of what the attempt emitted: its outcome waits for them. */
  puts?: Promise<void>[];
}

/** The worker's code. */
export const WORKER_ENTRY = require.resolve("./worker");

export class RouteWorker {
  private readonly worker: Worker;
  private state: "starting" | "ready" | "retiring" | "gone" = "starting";
  private readonly held = new Map<number, Held>();
  private outbox: ToWorker = { runs: [], ended: [] };
  private flushQueued = false;
  private report: CrashReport | undefined;
  private failure: Error | undefined;
  private outOfMemory = false;
  private stoppedByPool = false;
  private startTimer: NodeJS.Timeout | undefined;

  constructor(private readonly setup: RouteWorkerSetup) {
    const boot = bootData(WORKER_ENTRY);
    this.worker = new Worker(BOOTSTRAP, {
      eval: true,
      execArgv: workerExecArgv(),
      workerData: { ...setup.data, ...boot },
      resourceLimits: { maxOldGenerationSizeMb: setup.memoryMb },
      // A copy, so a processor's changes stay in its worker. The SDK's notice that its 2027 versions need
      // Node 22 would otherwise be printed again by every worker that emits.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    this.worker.on("message", (m: FromWorker) => this.receive(m));
    this.worker.on("error", (err: Error & { code?: string }) => {
      if (err.code === "ERR_WORKER_OUT_OF_MEMORY") this.outOfMemory = true;
      else this.failure = err;
    });
    this.worker.on("exit", (code) => this.exited(code));
    this.startTimer = setTimeout(() => {
      this.failure = new Error(`it did not start within ${setup.startTimeoutMs / 1000} s`);
      void this.worker.terminate();
    }, setup.startTimeoutMs);
  }

  /** The route this worker runs. */
  get routeKey(): string {
    return this.setup.data.routeKey;
  }

  /** Whether it takes new attempts (not retiring after a timeout, not gone). */
  get accepting(): boolean {
    return this.state === "starting" || this.state === "ready";
  }

  /** Attempts it holds (running, or waiting for it to start). */
  get holding(): number {
    return this.held.size;
  }

  /** Runs one attempt; rejects with a `RuntimeFailure` carrying the text to record when it fails. */
  run(item: RunItem, timeoutSeconds: number): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      const held: Held = { item, timeoutSeconds, resolve, reject };
      this.held.set(item.id, held);
      if (this.state === "ready" || this.state === "retiring") this.dispatch(held);
    });
  }

  /** Takes no new attempts; stops once the ones it holds are over. */
  retire(): void {
    if (this.state === "gone") return;
    this.state = "retiring";
    if (this.held.size === 0) void this.stop();
  }

  /**
   * Stops the worker (after a timeout, once idle; or because the local stack stops). Attempts it still holds are
   * left unsettled, not failed: the loop has stopped, writes no outcome for them, and they are delivered again at
   * the next start without costing an attempt.
   */
  async stop(): Promise<void> {
    if (this.state === "gone") return;
    this.stoppedByPool = true;
    await this.worker.terminate();
  }

  private dispatch(held: Held): void {
    held.timer = setTimeout(() => this.timedOut(held), held.timeoutSeconds * 1000);
    this.outbox.runs.push(held.item);
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After the current callback: the loop starts many attempts in one go, and they share a message.
    queueMicrotask(() => {
      this.flushQueued = false;
      const out = this.outbox;
      this.outbox = { runs: [], ended: [] };
      if (this.state !== "gone") this.worker.postMessage(out);
    });
  }

  private receive(m: FromWorker): void {
    if (this.state === "gone") return;
    switch (m.type) {
      case "ready":
        clearTimeout(this.startTimer);
        if (this.state === "starting") this.state = "ready";
        for (const held of this.held.values()) this.dispatch(held);
        return;
      case "results":
        for (const r of m.results) this.settle(r);
        if (this.state === "retiring" && this.held.size === 0) void this.stop();
        return;
      case "put":
        return this.put(m.attempt, m.entries);
      case "crash":
        this.report = m;
        return;
    }
  }

  private settle(r: RunResult): void {
    const held = this.held.get(r.id);
    // Gone already: it timed out, and its outcome no longer counts.
    if (!held) return;
    this.held.delete(r.id);
    clearTimeout(held.timer);
    if (!r.ok) return held.reject(new RuntimeFailure(r.error));
    if (!held.puts) return held.resolve({ result: r.result, stored: r.stored });
    // Done only once what it emitted is on the bus; if that failed, the attempt failed.
    Promise.all(held.puts).then(
      () => held.resolve({ result: r.result, stored: r.stored }),
      (err: unknown) =>
        held.reject(new RuntimeFailure(`the processor's emits were not committed: ${errorText(err)}`)),
    );
  }

  /** Commits an attempt's emits, unless the attempt already ended (timed out): then they are dropped. */
  private put(attempt: number, entries: BusEntry[]): void {
    const held = this.held.get(attempt);
    if (!held) return;
    const commit = this.setup.commit(entries).then(() => undefined);
    // Awaited by `settle`, unless the attempt times out first: never an unhandled rejection here.
    commit.catch(() => undefined);
    (held.puts ??= []).push(commit);
  }

  private timedOut(held: Held): void {
    if (this.held.get(held.item.id) !== held) return;
    this.held.delete(held.item.id);
    held.reject(new RuntimeFailure(timeoutText(held.timeoutSeconds)));
    // Its code may still be running: the worker refuses its emits and is stopped once its other attempts end.
    this.outbox.ended.push(held.item.id);
    this.flushSoon();
    this.setup.onTimeout(this);
    this.retire();
  }

  private exited(code: number): void {
    clearTimeout(this.startTimer);
    const started = this.state !== "starting";
    this.state = "gone";
    const death = this.stoppedByPool ? undefined : this.cause(code, started);
    const failed = death ? this.held.size : 0;
    for (const held of this.held.values()) {
      clearTimeout(held.timer);
      if (death) held.reject(new RuntimeFailure(deathText(death)));
    }
    this.held.clear();
    this.setup.onGone(this, death, failed);
  }

  private cause(code: number, started: boolean): WorkerDeath {
    if (this.report) return this.report;
    if (this.outOfMemory) return { kind: "out-of-memory", memoryMb: this.setup.memoryMb };
    if (!started) {
      return { kind: "start-failed", error: this.failure ? errorText(this.failure) : `exit status ${code}` };
    }
    // An error that reached the worker's 'error' event rather than its handlers (thrown inside one of them).
    if (this.failure) return { kind: "uncaught", error: errorText(this.failure) };
    return { kind: "exit", code };
  }
}
