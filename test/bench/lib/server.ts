/**
 * Starts the servers under test as child processes, so the load generator (autocannon, in the bench process)
 * never shares their event loop, and reads their resident memory from the OS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "../../support/net";
import { TS_NODE } from "../../support/node";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../../..");

/** A server running in a child process. */
export interface ChildServer {
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** Temporary data directory (local stack only); removed by `stop`. */
  readonly dataDir?: string;
  /** Resident set size of the child, in bytes (Linux: /proc/<pid>/status). */
  rss(): number;
  /** The child's stderr so far (last 64 KB) and the tail of its log file, for error messages. */
  stderr(): string;
  /** SIGTERM (or `signal`), then wait for the exit; removes the data directory unless `keepData`. */
  stop(options?: { signal?: NodeJS.Signals; keepData?: boolean }): Promise<void>;
}

/** The bare `node:http` baseline (`bare-server.ts`); `cpus` pins it (`taskset -c`), as `startLocal`'s. */
export async function startBare(cpus?: string): Promise<ChildServer> {
  return startChild(join(__dirname, "bare-server.ts"), {}, "/", undefined, cpus);
}

/**
 * The local stack exactly as `npm start` runs it (`local/main.ts`), on a free port with a fresh temporary data
 * directory (or `dataDir` to restart on existing data), logging only warnings.
 */
export async function startLocal(
  options: { dataDir?: string; env?: NodeJS.ProcessEnv; routesModule?: string; cpus?: string } = {},
): Promise<ChildServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "backbone-bench-"));
  const env = { BACKBONE_DB: join(dataDir, "backbone.db"), LOG_LEVEL: "warn", ...options.env };
  if (!options.routesModule)
    return startChild(join(ROOT, "local/main.ts"), env, "/local/health", dataDir, options.cpus);
  // Another table: `npm start`'s settings with `routesModule` (a bench entry, see local-with-table.ts).
  const withTable = { ...env, BENCH_ROUTES_MODULE: options.routesModule };
  return startChild(
    join(__dirname, "local-with-table.ts"),
    withTable,
    "/local/health",
    dataDir,
    options.cpus,
  );
}

async function startChild(
  script: string,
  env: NodeJS.ProcessEnv,
  readyPath: string,
  dataDir?: string,
  cpus?: string,
): Promise<ChildServer> {
  const port = await freePort();
  // stdout (the JSON log) goes to a file, not a pipe: an unread pipe would block the server once it fills up.
  const logFile = dataDir ? join(dataDir, "server.log") : undefined;
  const logFd = logFile ? openSync(logFile, "a") : "ignore";
  const node = [process.execPath, ...TS_NODE, script];
  // Pinned to `cpus` (all its threads, processor workers included) to play a machine with fewer cores.
  const [command, ...args] = cpus ? ["taskset", "-c", cpus, ...node] : node;
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "production" },
    stdio: ["ignore", logFd, "pipe"],
  });
  if (typeof logFd === "number") closeSync(logFd);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-65536);
  });
  const origin = `http://127.0.0.1:${port}`;
  const server: ChildServer = {
    pid: child.pid ?? -1,
    origin,
    dataDir,
    rss: () => rssOf(child.pid ?? -1),
    stderr: () => `${stderr}${logFile ? tail(logFile) : ""}`,
    stop: (opts = {}) => stopChild(child, opts.signal ?? "SIGTERM", opts.keepData ? undefined : dataDir),
  };
  try {
    await waitReady(child, origin + readyPath, () => stderr);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Polls until the child answers HTTP on `url` (any status) or exits. */
async function waitReady(
  child: ChildProcess,
  url: string,
  stderr: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`server not ready on ${url} after ${timeoutMs} ms:\n${stderr()}`);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, dataDir: string | undefined): Promise<void> {
  const cleanup = () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  if (child.exitCode !== null || child.signalCode !== null) {
    cleanup();
    return Promise.resolve();
  }
  return new Promise((done) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      cleanup();
      done();
    });
    child.kill(signal);
  });
}

/** RSS in bytes from /proc (Linux, where the bench runs); NaN elsewhere. */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function tail(file: string, bytes = 8192): string {
  try {
    return readFileSync(file, "utf8").slice(-bytes);
  } catch {
    return "";
  }
}
