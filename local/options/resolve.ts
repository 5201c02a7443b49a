/**
 * `resolveOptions`: `LocalOptions` with every default applied, grouped as the components take them. Components
 * below local/ take resolved settings and default nothing.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { stackArns, stackNames, type RouteRow, type StackArns, type StackNames } from "../../infra/table";
import type { DeliverySettings, IngestPriorityOptions } from "../delivery";
import type { HttpSettings } from "../http";
import type { StoreOptions } from "../store";
import { DEFAULTS, EMIT_KEY_FORM, splitList, type LocalOptions } from "./defaults";

/** `LocalOptions` with every default applied, grouped as the components take them. */
export interface ResolvedOptions {
  routes: readonly RouteRow[];
  /** Absolute path of the routing table's module (every processor worker loads it). */
  routesModule: string;
  dbPath: string;
  isolation: "workers" | "none";
  emitTransport: "in-process" | "http";
  emitEndpoint?: string;
  /** `LocalOptions.emitKey`, or a random one for this start. */
  emitKey: string;
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
const ROOT = resolve(__dirname, "..", "..");

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
  const emitKey = options.emitKey || DEFAULTS.emitKey || randomBytes(24).toString("base64url");
  if (!EMIT_KEY_FORM.test(emitKey)) {
    throw new Error("emitKey: 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - (it travels in a header)");
  }
  const headersTimeoutMs = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs;
  return {
    routes,
    routesModule,
    dbPath,
    isolation,
    emitTransport,
    emitEndpoint: options.emitEndpoint,
    emitKey,
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
