/**
 * WAL checkpoints on a worker thread. A checkpoint copies the WAL into the database file and fsyncs it; done by
 * SQLite's automatic checkpoint it runs inside whichever commit crosses the threshold, blocking the event loop
 * (measured here: a one-row commit costs ~57 µs with automatic checkpoints, ~20 µs without). A second
 * connection on its own thread checkpoints instead (PASSIVE: it never blocks the writer), so commits only
 * append to the WAL. Durability is unchanged: `synchronous` still decides what a commit waits for.
 */
import { Worker } from "node:worker_threads";

/** Plain JavaScript (`eval` worker): no TypeScript loader is needed inside the thread. */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
// Never creates the file: one deleted before this thread got to open it must stay deleted (the Store's monitor
// then reports it gone); a new empty file here made it look replaced.
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
} catch (err) {
  parentPort.postMessage({ error: String(err) });
  process.exit(0);
}
db.pragma("busy_timeout = 1000");
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  /** Starts checkpointing `file` every `intervalMs`; `onError` gets failures (the main connection carries on). */
  constructor(file: string, intervalMs: number, onError: (message: string) => void) {
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: { file, intervalMs, driver: require.resolve("better-sqlite3") },
    });
    this.worker.on("message", (m: { error?: string }) => m.error && onError(m.error));
    this.worker.on("error", (err) => onError(String(err)));
    // Never keep a process alive just for checkpoints.
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
  }

  /** Final checkpoint, then the thread's connection closes (bounded wait). */
  async stop(timeoutMs = 2000): Promise<void> {
    this.worker.postMessage("stop");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
