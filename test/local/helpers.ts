/**
 * Test helpers for the local stack: a server on a free port with a throw-away database, HTTP helpers, an
 * EventBridge client for it, bounded polling (of an event's outcome, or of any condition), and a logger whose
 * lines a test reads.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
export { freePort } from "../support/net";
import { buildApp, type LocalApp, type LocalOptions } from "../../local/app";
import { Bus, type CommitListener } from "../../local/bus";
import { Store, type StoreOptions } from "../../local/store";
import type { RouteRow } from "../../infra/table";
import { resolveOptions } from "../../local/options";

export const ROOT = resolve(__dirname, "../..");

/** A running local stack on 127.0.0.1 and a free port, with its own temporary database. */
export interface Running {
  url: string;
  local: LocalApp;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts the local stack on a free port with a temporary database. An inline table (`routes`: test processors
 * that fail on purpose) runs unisolated (`isolation: "none"`) unless told otherwise: its functions cannot be
 * posted to workers; crash tests name a module (`routesModule`) instead.
 */
export async function startLocal(options: LocalOptions = {}): Promise<Running> {
  // A database the caller names is the caller's to remove (a spec restarts servers on it); only a folder made
  // here is removed at stop.
  const own = options.dbPath === undefined;
  const dir = own ? mkdtempSync(join(tmpdir(), "backbone-local-test-")) : dirname(options.dbPath as string);
  // TEST_LOG_LEVEL=debug shows the server's logs on stderr (and the processor workers' on stdout) while debugging.
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }, pino.destination(2));
  const isolation = options.isolation ?? (options.routes ? "none" : undefined);
  let local: LocalApp;
  let url: string;
  try {
    local = buildApp({
      dbPath: join(dir, "backbone.db"),
      retryBaseDelayMs: 10,
      logger,
      ...options,
      isolation,
    });
    url = await local.listen({ port: 0 });
  } catch (error) {
    if (own) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    local,
    dir,
    async stop() {
      await local.close();
      if (own) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Store on `file` (default in memory) with the settings `buildApp` would give it, without the checkpoint
 * thread or the file's lock unless asked.
 */
export function openStore(file = ":memory:", overrides: Partial<StoreOptions> = {}): Store {
  const { store } = resolveOptions({ dbPath: file, routes: [], isolation: "none" });
  return new Store(file, { ...store, checkpointIntervalMs: 0, lock: false, ...overrides });
}

/** A bus on `store` for `routes`, with the local stack's envelope fields; `onCommit` defaults to nothing. */
export function openBus(
  store: Store,
  routes: readonly RouteRow[],
  onCommit: CommitListener = () => undefined,
): Bus {
  return new Bus(store, routes, {
    account: "000000000000",
    region: "ap-southeast-2",
    now: () => new Date(),
    onCommit,
  });
}

export { tempDir } from "../support/temp";

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** Sends `body` (objects as JSON) and parses the JSON answer. */
export async function request(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const body =
    init.body === undefined || typeof init.body === "string" || Buffer.isBuffer(init.body)
      ? (init.body as string | Buffer | undefined)
      : JSON.stringify(init.body);
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers: body === undefined ? init.headers : { "content-type": "application/json", ...init.headers },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Left empty: the assertions on `body` then fail with the raw text in `text`.
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/**
 * Registers hooks in the calling `describe`: a local stack (the default table, `options` added), started before
 * its tests and stopped after; `ready` gets it (the spec keeps it in its own variable).
 */
export function withStack(ready: (server: Running) => void, options: LocalOptions = {}): void {
  let server: Running | undefined;
  before(async () => {
    server = await startLocal(options);
    ready(server);
  });
  after(async () => {
    await server?.stop();
  });
}

/** `withStack`, with an EventBridge client for the stack too (destroyed after its tests). */
export function withStackAndClient(ready: (server: Running, client: EventBridgeClient) => void): void {
  let client: EventBridgeClient | undefined;
  withStack((server) => {
    client = ebClient(server.url);
    ready(server, client);
  });
  after(() => client?.destroy());
}

/** `POST /events` with a `{detail-type, detail}` body; returns the reply. */
export function postEvent(url: string, detailType: string, detail: unknown): Promise<Reply> {
  return request(`${url}/events`, { body: { "detail-type": detailType, detail } });
}

/** An EventBridge client for the local stack at `url`: test credentials, no retries (callers `destroy()` it). */
export function ebClient(url: string): EventBridgeClient {
  return new EventBridgeClient({
    endpoint: url,
    region: "ap-southeast-2",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** Posts and expects a 202; returns the event id. */
export async function accept(url: string, detailType: string, detail: unknown): Promise<string> {
  const reply = await postEvent(url, detailType, detail);
  if (reply.status !== 202) throw new Error(`expected 202, got ${reply.status}: ${reply.text}`);
  return reply.body.eventId as string;
}

/** One route's outcome as `GET /local/events/:id` shows it. */
export interface RouteView {
  routeKey: string;
  status: string;
  attempts: number;
  result?: Record<string, unknown>;
  error?: string;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
}

export interface EventView {
  eventId: string;
  status: string;
  acceptedAt: string;
  replayOf?: string;
  event: Record<string, unknown> & { detail: Record<string, unknown> };
  routes: RouteView[];
}

const SETTLED = new Set(["done", "dead-lettered", "unrouted"]);

/** Polls `GET /local/events/:id` until `reached(view)` (default: settled); fails after `timeoutMs`. */
export async function waitFor(
  url: string,
  id: string,
  reached: (v: EventView) => boolean = (v) => SETTLED.has(v.status),
  timeoutMs = 10_000,
): Promise<EventView> {
  let last: Reply | undefined;
  const ok = await until(async () => {
    last = await request(`${url}/local/events/${id}`);
    return last.status === 200 && reached(last.body as unknown as EventView);
  }, timeoutMs);
  if (ok && last) return last.body as unknown as EventView;
  throw new Error(`event ${id} did not reach the expected state in ${timeoutMs} ms; last: ${last?.text}`);
}

/**
 * Calls `check` every `intervalMs` until it holds, and resolves `true`; resolves `false` once `timeoutMs` have
 * passed without it holding, so the caller's own assertion reports what was missing.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** The route of `view` with key `key` (fails the test when absent). */
export function route(view: EventView, key: string): RouteView {
  const found = view.routes.find((r) => r.routeKey === key);
  if (!found)
    throw new Error(`event ${view.eventId} has no route ${key}: ${view.routes.map((r) => r.routeKey)}`);
  return found;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A JSON event fixture from `test/fixtures/events` (an EventBridge envelope). */
export function fixture(name: string): { "detail-type": string; detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(ROOT, "test/fixtures/events", `${name}.json`), "utf8"));
}

/** A logger at info whose JSON lines the test reads. */
export function capturingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((l) => l !== ""),
      );
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines: () => out.map((l) => JSON.parse(l)) };
}
