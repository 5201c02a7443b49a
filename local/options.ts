/**
 * The local stack's options: what `buildApp` accepts (`LocalOptions`), every default once (`DEFAULTS`), the
 * environment variables `npm start` reads (`ENVIRONMENT`), and `resolveOptions`, which turns options into the
 * settings each component takes. Components below this file take resolved settings and default nothing.
 * local/README.md's settings table is checked against `DEFAULTS` and `ENVIRONMENT` by a test.
 */
import type pino from "pino";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  ROUTE_DEFAULTS,
  stackArns,
  stackNames,
  type RouteRow,
  type StackArns,
  type StackNames,
} from "../infra/table";
import type { DeliveryOutcome, DeliverySettings, IngestPriorityOptions } from "./delivery";
import type { HttpSettings } from "./http";
import type { StoreOptions } from "./store";

/** Every default of the local stack. */
export const DEFAULTS = {
  /** Where `npm start` listens. */
  port: 3000,
  host: "127.0.0.1",
  /** pino level of `npm start`'s logger. */
  logLevel: "info",
  dbPath: ".data/backbone.db",
  synchronous: "NORMAL",
  /** WAL checkpoints on a worker thread every this many ms (0: in SQLite's commits). */
  checkpointIntervalMs: 200,
  /** Module exporting `routes`, relative to the project root. */
  routesModule: "infra/routes",
  /** Processors in worker threads of their own (`delivery/pool/`); `none` only for inline test tables. */
  isolation: "workers",
  /** A worker that has not loaded its routing table within this time is stopped (its attempts fail). */
  workerStartTimeoutMs: 30_000,
  emitTransport: "in-process",
  /**
   * The local stack's identity for `infra/table/names.ts`: the Pulumi project (`Pulumi.yaml`'s `name`) and a
   * stack named `local`, so its bus, rules, targets and archive have the names and ARNs a `pulumi up` of a stack
   * named `local` would give them (`aws events list-rules` reads alike on both).
   */
  project: "event-backbone",
  stack: "local",
  /** Bus names of earlier versions, still accepted wherever an `EventBusName` is (clients and docs use them). */
  busAliases: ["backbone"],
  /** The dev stack's region. */
  region: "ap-southeast-2",
  account: "000000000000",
  retryBaseDelayMs: 1000,
  retryMaxDelayMs: 60_000,
  /**
   * Open deliveries at which `POST /events` answers 429. They wait on disk, not in memory (about 1.3 KB of
   * SQLite each with the scenario events, so ~1.3 GB at the bound): the bound is what lets a burst be accepted
   * at ingest speed and processed afterwards (`delivery/ingest-priority.ts`).
   */
  maxPending: 1_000_000,
  /** Delivery yields to producers who saturate the server (`delivery/ingest-priority.ts`); `off`: never. */
  ingestPriority: "on",
  /** Event-loop utilization (a fraction of the main thread's time) at which the server counts as saturated. */
  ingestPriorityLoad: 0.9,
  /** How many times more producer events a one-window probe must bring for delivery to keep yielding. */
  ingestPriorityGain: 1.5,
  /** Deliveries started per second while delivery yields. */
  ingestPriorityTrickle: 10,
  /**
   * The window saturation is measured over (monotonic clock). Long enough that a short burst (e.g. 1,000
   * requests at once, once a second, which takes a few tens of ms to accept) does not saturate a window; after
   * a long burst, delivery resumes within one window.
   */
  ingestPriorityWindowMs: 250,
  /** Processor invocations at once (measured: 16 queued deliveries behind emitting ones). */
  concurrency: 64,
  /** Timeout of a route without `timeoutSeconds`: the cloud stack's Lambda default. */
  defaultTimeoutSeconds: ROUTE_DEFAULTS.timeoutSeconds,
  /** Heap limit of a route's worker without `memoryMb`: the cloud stack's Lambda default memory. */
  defaultMemoryMb: ROUTE_DEFAULTS.memoryMb,
  /** New deliveries started from memory at most; beyond, they are read back from SQLite. */
  readyQueueCap: 10_000,
  /** Archived events a replay reads and re-sends per step (one transaction each). */
  replayPageSize: 500,
  /** While the backlog is at `maxPending`, a replay looks again after this many ms. */
  replayPauseMs: 200,
  /** Events per page of `GET /local/events` unless `limit` says (at most `listMaxLimit`). */
  listLimit: 50,
  listMaxLimit: 1000,
  /** A page of `GET /local/events` or `GET /local/dlq` stops once its stored events reach this many bytes. */
  listMaxBytes: 1024 * 1024,
  /** Events one page of `GET /local/events` looks through at most (filters run in SQL over this window). */
  listScanRows: 20_000,
  /** Messages a slow `GET /local/events/stream` client may have waiting; older ones are dropped beyond. */
  streamBufferMessages: 1000,
  /** Events `GET /local/events/:id` shows in one causal tree at most. */
  treeMaxEvents: 200,
  /**
   * A processor result over this many bytes (as JSON) is stored truncated, marked `truncated` with its size, in
   * the delivery row and the idempotency table (local/store/results.ts).
   */
  maxResultBytes: 256 * 1024,
  /**
   * How often the database file is checked (deleted or replaced: noticed within this) and writes it refused
   * (disk full) are retried; delivery resumes on its own at the first that succeeds.
   */
  storageCheckMs: 500,
  /**
   * Bearer token every request must carry (`Authorization: Bearer <token>`, or as the SigV4 access key id of
   * EventBridge's API). Empty: none, which only a loopback listener allows.
   */
  token: "",
  /** Comma-separated `Host` names accepted besides loopback ones (`*`: any); others get 403. */
  allowedHosts: "",
  /** A request's headers must arrive within this (slow-header clients: 408). */
  headersTimeoutMs: 10_000,
  /** A whole request, body included, must arrive within this (slow-body clients: 408). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** A connection with no traffic either way (a client not reading its answer) is closed after this. */
  connectionTimeoutMs: 60_000,
  /** Connections at once; further ones are closed at accept (each may buffer a body of up to `BODY_LIMIT`). */
  maxConnections: 512,
} as const;

/** Options of `buildApp`. Every field is optional; `DEFAULTS` says what `npm start` uses. */
export interface LocalOptions {
  /** SQLite file of the bus (created with its folder). Use a temp file in tests. */
  dbPath?: string;
  /** `NORMAL` survives a process crash; `FULL` also survives an OS crash, at some ingest cost. */
  synchronous?: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms; 0 leaves them to SQLite's commits. */
  checkpointIntervalMs?: number;
  /**
   * The routing table, inline. Its processors are functions, which cannot be posted to a worker, so such a
   * table runs unisolated and needs `isolation: "none"` said explicitly (tests with inline failing processors).
   * To isolate a test table, put it in a module and name it with `routesModule`.
   */
  routes?: readonly RouteRow[];
  /**
   * Module (absolute path, or relative to the project root) exporting `routes: RouteRow[]`; the main thread
   * and every processor worker load it. Ignored when `routes` is given.
   */
  routesModule?: string;
  /**
   * Where processors run. `workers` (default): each route's processor in a `worker_threads` Worker of its own
   * with its row's `memoryMb` as heap limit (`delivery/pool/`): a crash, `process.exit` or the heap limit fails
   * that worker's attempts (retried, then dead-lettered) and a timeout stops the attempt; the server carries on.
   * `none`: on the main thread, unisolated (`delivery/invoke.ts`): any of those takes the server down (and again
   * at each restart, since the event is redelivered), and a timed-out attempt keeps running. Only for inline
   * tables (`routes`), which cannot be posted to a worker.
   */
  isolation?: "workers" | "none";
  /**
   * Port the processors' EventBridge client (`ctx.emit`) targets with `emitTransport: "http"`. Default: the
   * port this app listens on, read when the first event is emitted. Set it only when another process serves
   * the EventBridge API.
   */
  port?: number;
  /**
   * How `ctx.emit`'s real EventBridge client reaches this server's EventBridge API: `in-process`, a direct
   * call to the code behind `POST /`, or `http`, a loopback socket to `emitEndpoint`/`port`/the listening
   * port. See `delivery/emit-transport.ts` for why.
   */
  emitTransport?: "in-process" | "http";
  /** Full endpoint for `ctx.emit` (overrides `port`), e.g. `http://127.0.0.1:3000`. */
  emitEndpoint?: string;
  /**
   * The stack name the local stack's resource names derive from (`DEFAULTS.stack`, `infra/table/names.ts`): the
   * bus `ctx.emit` uses and PutEvents accepts (with `default`, `DEFAULTS.busAliases` and their ARNs), the rules,
   * targets and archive the EventBridge API lists.
   */
  stack?: string;
  /** Envelope `region` and emit client region. */
  region?: string;
  /** Envelope `account`. */
  account?: string;
  /** Delay before the first retry of a failed delivery; doubles per retry. Tests use ~10. */
  retryBaseDelayMs?: number;
  /** Cap on the delay between attempts. */
  retryMaxDelayMs?: number;
  /** Open deliveries at which `POST /events` answers 429 (PutEvents throttles at twice this). */
  maxPending?: number;
  /**
   * `on`: delivery yields to producers who are held back by it: when, two windows in a row, producers send while
   * the backlog grows or the main thread is saturated (event-loop utilization at or above `ingestPriorityLoad`),
   * delivery yields for a window, and keeps yielding while producers then send `ingestPriorityGain` times as fast
   * or saturate the thread by themselves; deliveries then start at `ingestPriorityTrickle` per second until that
   * ends or the backlog reaches half of `maxPending` (`delivery/ingest-priority.ts`). `off`: never.
   */
  ingestPriority?: "on" | "off";
  /** See `ingestPriority` (0–1; tests use 0: any yield then lasts while producers send). */
  ingestPriorityLoad?: number;
  /** See `ingestPriority` (tests use 0 to keep yielding after any probe). */
  ingestPriorityGain?: number;
  /** The window of `ingestPriority`'s measures, ms. */
  ingestPriorityWindowMs?: number;
  /** Deliveries started per second while delivery yields to ingest. */
  ingestPriorityTrickle?: number;
  /** Processor invocations running at once. */
  concurrency?: number;
  /** Timeout for routes without `timeoutSeconds`, like the Lambda default. */
  defaultTimeoutSeconds?: number;
  /** Heap limit (MB) of the worker of a route without `memoryMb`, like the Lambda default memory. */
  defaultMemoryMb?: number;
  /** New deliveries started from memory at most; beyond, they are read back from SQLite. */
  readyQueueCap?: number;
  /**
   * pino logger for the server (and the processors with `isolation: "none"`). Default: silent. Processor
   * workers log at this logger's level as JSON lines on stdout (pretty when stdout is a terminal), not through
   * this instance.
   */
  logger?: pino.Logger;
  /** Called after every delivery attempt (benches measure latency with it). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /**
   * The clock of the bus and the delivery loop (not of Fastify, nor of processors in workers, which see the
   * wall clock; with `isolation: "none"` their `ctx.now()` too).
   */
  now?: () => Date;
  /** A stored processor result over this many bytes is truncated (`DEFAULTS.maxResultBytes`). */
  maxResultBytes?: number;
  /** How often the database file is checked and refused writes retried (`DEFAULTS.storageCheckMs`). */
  storageCheckMs?: number;
  /**
   * Bearer token every request must carry; required to listen beyond loopback. EventBridge API clients pass it
   * as their access key id (`AWS_ACCESS_KEY_ID`); the secret is not checked.
   */
  token?: string;
  /** `Host` names accepted besides loopback ones (`*`: any). */
  allowedHosts?: readonly string[];
  /** HTTP limits (`DEFAULTS`): headers, whole request, idle keep-alive, inactivity, connections at once. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  connectionTimeoutMs?: number;
  maxConnections?: number;
}

/** The settings `npm start` reads from the environment, by option, with their variables. */
export const ENVIRONMENT = {
  port: "PORT",
  host: "HOST",
  dbPath: "BACKBONE_DB",
  logLevel: "LOG_LEVEL",
  retryBaseDelayMs: "BACKBONE_RETRY_BASE_MS",
  maxPending: "BACKBONE_MAX_PENDING",
  ingestPriority: "BACKBONE_INGEST_PRIORITY",
  ingestPriorityTrickle: "BACKBONE_INGEST_PRIORITY_TRICKLE",
  concurrency: "BACKBONE_CONCURRENCY",
  checkpointIntervalMs: "BACKBONE_CHECKPOINT_MS",
  token: "BACKBONE_TOKEN",
  allowedHosts: "BACKBONE_ALLOWED_HOSTS",
} as const satisfies Partial<Record<keyof typeof DEFAULTS, string>>;

/** `npm start`'s flags, each standing for its environment variable (flags win over the environment). */
export const FLAGS = { port: ENVIRONMENT.port, host: ENVIRONMENT.host, db: ENVIRONMENT.dbPath } as const;

/** The one-line usage `npm start` prints with a flag it refuses. */
export const USAGE = `usage: npm start -- [--port ${DEFAULTS.port}] [--host ${DEFAULTS.host}] [--db ${DEFAULTS.dbPath}]`;

/**
 * The environment `npm start` runs with once its command line is applied: each flag sets its variable.
 *
 * npm keeps flags it does not know for itself when they come before `--`: `npm start --port 4000` reaches the
 * script as the bare argument `4000`, with `npm_config_port=true` in the environment, and `--port=4000` only as
 * `npm_config_port=4000`. So under npm a flag npm took is read back from there, and one bare argument is the
 * value of the one flag npm took. npm does not say in which order it took several, so two or more such flags
 * written with a space are refused, naming the forms that work. Throws a one-line `StartError` with the usage for
 * an unknown flag, a flag without a value and an argument that belongs to no flag.
 */
export function applyFlags(argv: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = Object.keys(FLAGS) as (keyof typeof FLAGS)[];
  const values: Partial<Record<keyof typeof FLAGS, string>> = {};
  // Flags npm took, in npm's environment (only when npm runs this as a script).
  const taken: (keyof typeof FLAGS)[] = [];
  if (env.npm_lifecycle_event !== undefined) {
    for (const name of names) {
      const value = env[`npm_config_${name}`];
      if (value === undefined || value === "") continue;
      if (value === "true") taken.push(name);
      else values[name] = value;
    }
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(names.map((n) => [n, { type: "string" }])) as Record<
      keyof typeof FLAGS,
      { type: "string" }
    >,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    if (!(names as string[]).includes(token.name)) {
      throw new StartError(`unknown flag ${token.rawName}; ${USAGE}`);
    }
    if (token.value === undefined) throw new StartError(`${token.rawName} needs a value; ${USAGE}`);
    values[token.name as keyof typeof FLAGS] = token.value;
  }
  if (taken.length > 1 && positionals.length > 0) {
    const flags = taken.map((n) => `--${n}`).join(", ");
    throw new StartError(
      `npm kept ${flags} for itself and passed their values on without their names; write them as ` +
        `${taken.map((n) => `--${n}=…`).join(" ")}, or after --: npm start -- ${taken.map((n) => `--${n} …`).join(" ")}`,
    );
  }
  if (taken.length === 1 && values[taken[0]] === undefined) {
    if (positionals.length === 0) throw new StartError(`--${taken[0]} needs a value; ${USAGE}`);
    values[taken[0]] = positionals.shift();
  }
  if (positionals.length > 0) throw new StartError(`unexpected argument ${positionals[0]}; ${USAGE}`);
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names) if (values[name] !== undefined) out[FLAGS[name]] = values[name];
  return out;
}

/** What `npm start` reads from its environment: where to listen, the logger's level, and `buildApp`'s options. */
export interface StartSettings {
  port: number;
  host: string;
  logLevel: string;
  options: LocalOptions;
}

/** A setting `npm start` refuses: its message is one line naming the setting (local/main.ts prints only that). */
export class StartError extends Error {
  override readonly name = "StartError";
}

/** Reads `ENVIRONMENT` from `env`; throws a `StartError` naming the variable and its accepted values. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): StartSettings {
  const text = (key: keyof typeof ENVIRONMENT): string | undefined => {
    const raw = env[ENVIRONMENT[key]];
    return raw === undefined || raw === "" ? undefined : raw;
  };
  const number = (key: keyof typeof ENVIRONMENT): number | undefined => {
    const raw = text(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) {
      throw new StartError(`${ENVIRONMENT[key]} must be a non-negative number, got ${raw}`);
    }
    return n;
  };
  const priority = text("ingestPriority");
  if (priority !== undefined && priority !== "on" && priority !== "off") {
    throw new StartError(`${ENVIRONMENT.ingestPriority} must be on or off, got ${priority}`);
  }
  for (const removed of ["BACKBONE_DELIVERY", "BACKBONE_INGEST_PRIORITY_RATE"]) {
    if (env[removed] !== undefined && env[removed] !== "") {
      throw new StartError(
        `${removed} is no longer read: see local/README.md (processors run in isolated workers)`,
      );
    }
  }
  const port = number("port") ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port > 65535) {
    throw new StartError(`${ENVIRONMENT.port}: invalid port ${port}`);
  }
  const hosts = text("allowedHosts");
  return {
    port,
    host: text("host") ?? DEFAULTS.host,
    logLevel: text("logLevel") ?? DEFAULTS.logLevel,
    options: {
      dbPath: text("dbPath") ?? DEFAULTS.dbPath,
      retryBaseDelayMs: number("retryBaseDelayMs"),
      maxPending: number("maxPending"),
      ingestPriority: priority,
      ingestPriorityTrickle: number("ingestPriorityTrickle"),
      concurrency: number("concurrency"),
      checkpointIntervalMs: number("checkpointIntervalMs"),
      token: text("token"),
      allowedHosts: hosts === undefined ? undefined : splitList(hosts),
    },
  };
}

/** `a, b,c` → `["a", "b", "c"]`. */
function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** `LocalOptions` with every default applied, grouped as the components take them. */
export interface ResolvedOptions {
  routes: readonly RouteRow[];
  /** Absolute path of the routing table's module (every processor worker loads it). */
  routesModule: string;
  dbPath: string;
  isolation: "workers" | "none";
  emitTransport: "in-process" | "http";
  emitEndpoint?: string;
  port?: number;
  /** Every physical name and ARN of the local stack (`stack` of `DEFAULTS.project` in `region`/`account`). */
  names: StackNames;
  arns: StackArns;
  /** `names.bus`: where `ctx.emit` puts events. */
  busName: string;
  /** Other names PutEvents and the control plane accept for the bus. */
  busAliases: readonly string[];
  region: string;
  account: string;
  maxPending: number;
  now: () => Date;
  store: Pick<
    StoreOptions,
    "synchronous" | "checkpointIntervalMs" | "deliveryRows" | "maxResultBytes" | "storageCheckMs" | "lock"
  >;
  deliverySettings: DeliverySettings;
  ingestPriority: Omit<IngestPriorityOptions, "backlog" | "backlogHigh" | "clock" | "utilization">;
  /** Workers' heap limit without `memoryMb`, and how long one may take to start. */
  workers: { defaultMemoryMb: number; startTimeoutMs: number };
  http: HttpSettings;
}

/** Project root: `routesModule` is relative to it. */
const ROOT = resolve(__dirname, "..");

/** Applies `DEFAULTS`; throws when options contradict each other (an inline table in workers). */
export function resolveOptions(options: LocalOptions): ResolvedOptions {
  const routesModule = resolve(ROOT, options.routesModule ?? DEFAULTS.routesModule);
  const routes: readonly RouteRow[] =
    options.routes ?? (require(routesModule) as { routes: readonly RouteRow[] }).routes;
  const dbPath = options.dbPath ?? DEFAULTS.dbPath;
  const isolation = options.isolation ?? DEFAULTS.isolation;
  if (options.routes !== undefined && isolation !== "none") {
    throw new Error(
      'an inline routing table (routes) cannot be posted to processor workers: name its module with routesModule, or pass isolation: "none" to run it unisolated on the main thread (a crashing processor then takes the server down)',
    );
  }
  const region = options.region ?? DEFAULTS.region;
  const account = options.account ?? DEFAULTS.account;
  const names = stackNames({
    project: DEFAULTS.project,
    stack: options.stack ?? DEFAULTS.stack,
    region,
    account,
  });
  const token = options.token ?? DEFAULTS.token;
  const emitTransport = options.emitTransport ?? DEFAULTS.emitTransport;
  if (token && emitTransport === "http") {
    // The processors' client signs with its own credentials; carrying the token there is not built.
    throw new Error('emitTransport: "http" cannot be combined with a token; use the in-process transport');
  }
  const headersTimeoutMs = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs;
  return {
    routes,
    routesModule,
    dbPath,
    isolation,
    emitTransport,
    emitEndpoint: options.emitEndpoint,
    port: options.port,
    names,
    arns: stackArns(names, account),
    busName: names.bus,
    busAliases: DEFAULTS.busAliases,
    region,
    account,
    maxPending: options.maxPending ?? DEFAULTS.maxPending,
    now: options.now ?? (() => new Date()),
    store: {
      synchronous: options.synchronous ?? DEFAULTS.synchronous,
      checkpointIntervalMs: options.checkpointIntervalMs ?? DEFAULTS.checkpointIntervalMs,
      deliveryRows: "late",
      maxResultBytes: options.maxResultBytes ?? DEFAULTS.maxResultBytes,
      storageCheckMs: options.storageCheckMs ?? DEFAULTS.storageCheckMs,
      lock: true,
    },
    deliverySettings: {
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs,
      defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? DEFAULTS.defaultTimeoutSeconds,
      readyQueueCap: options.readyQueueCap ?? DEFAULTS.readyQueueCap,
    },
    ingestPriority: {
      enabled: (options.ingestPriority ?? DEFAULTS.ingestPriority) === "on",
      load: options.ingestPriorityLoad ?? DEFAULTS.ingestPriorityLoad,
      gain: options.ingestPriorityGain ?? DEFAULTS.ingestPriorityGain,
      trickle: options.ingestPriorityTrickle ?? DEFAULTS.ingestPriorityTrickle,
      windowMs: options.ingestPriorityWindowMs ?? DEFAULTS.ingestPriorityWindowMs,
    },
    workers: {
      defaultMemoryMb: options.defaultMemoryMb ?? DEFAULTS.defaultMemoryMb,
      startTimeoutMs: DEFAULTS.workerStartTimeoutMs,
    },
    http: {
      token,
      allowedHosts: options.allowedHosts ?? splitList(DEFAULTS.allowedHosts),
      headersTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs,
      connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
      maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
    },
  };
}
