/**
 * The replay engine (`local/bus/replay.ts`) through `POST /local/replay` and `GET /local/replays/:name`: every
 * archived original of the range is replayed however many there are (follow-ups in the range are not), the
 * name follows AWS's rule, a replay pauses at the backlog bound, can be cancelled, and resumes after a restart
 * without re-sending or skipping an event.
 */
import { Type } from "@sinclair/typebox";
import { expect } from "chai";
import { join } from "node:path";
import { API_SOURCE, type RouteRow } from "../../../infra/table";
import { defineProcessor } from "../../../processors/runtime";
import type { BusEntry } from "../../../local/bus";
import { openBus, openStore, request, startLocal, tempDir, until, type Running } from "../helpers";

const Ping = Type.Object({ n: Type.Number() });

/** A processor that waits until `release` is called (so the backlog stays full meanwhile). */
function gated(): { wait: () => Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { wait: () => gate, release: () => release() };
}

/** A route on detail-type `ping` with the given processor (several such routes share the schema). */
function pingRoute(key: string, handle: () => unknown): RouteRow {
  return {
    key,
    description: `test route ${key}`,
    pattern: { "detail-type": ["ping"] },
    processor: defineProcessor({
      name: key,
      detailType: "ping",
      schema: Ping,
      handle: async () => handle(),
    }),
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
  };
}

/**
 * Archives `n` pings (source `backbone.api`) into a fresh database, each followed by a follow-up its processor
 * would have emitted (source `backbone.ping`): written with no routing table, so none is delivered.
 */
async function archive(dbPath: string, n: number): Promise<void> {
  const store = openStore(dbPath);
  const bus = openBus(store, []);
  for (let i = 0; i < n; i += 1000) {
    const batch: BusEntry[] = [];
    for (let k = i; k < Math.min(n, i + 1000); k++) {
      batch.push({ source: API_SOURCE, detailType: "ping", detail: { n: k } });
      batch.push({ source: "backbone.ping", detailType: "ping", detail: { n: k } });
    }
    bus.put(batch);
  }
  await store.close();
}

interface ReplayView {
  replayName: string;
  state: string;
  stateReason?: string;
  paused: boolean;
  total: number | null;
  replayed: number;
  routes: string[] | null;
}

async function replay(url: string, name: string): Promise<ReplayView> {
  return (await request(`${url}/local/replays/${name}`)).body as unknown as ReplayView;
}

async function untilState(url: string, name: string, state: string, timeoutMs = 60_000): Promise<ReplayView> {
  let last: ReplayView | undefined;
  const ok = await until(async () => (last = await replay(url, name)).state === state, timeoutMs, 50);
  if (!ok) throw new Error(`replay ${name} did not reach ${state}: ${JSON.stringify(last)}`);
  return last as ReplayView;
}

const ALL_TIME = { from: 0, to: Date.now() + 3_600_000 };

describe("local stack: the replay engine", function () {
  this.timeout(120_000);
  const dirs: { remove(): void }[] = [];
  let servers: Running[] = [];
  afterEach(async () => {
    for (const s of servers) await s.stop();
    servers = [];
    for (const d of dirs.splice(0)) d.remove();
  });

  async function start(
    dbPath: string,
    routes: RouteRow[],
    extra: Record<string, unknown> = {},
  ): Promise<Running> {
    const server = await startLocal({ dbPath, routes, ...extra });
    servers.push(server);
    return server;
  }

  function freshDb(): string {
    const dir = tempDir();
    dirs.push(dir);
    return join(dir.dir, "bus.db");
  }

  it("replays every one of 10,050 archived originals (with 10,050 follow-ups in the range), exactly once", async () => {
    const db = freshDb();
    await archive(db, 10_050);
    let delivered = 0;
    const server = await start(db, [pingRoute("ping", () => (delivered += 1))]);

    const started = await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name: "big" } });
    expect(started.status).to.equal(202);
    const done = await untilState(server.url, "big", "COMPLETED");

    expect(done).to.include({ total: 10_050, replayed: 10_050 });
    const rows = server.local.store.db
      .prepare(
        `SELECT count(*) AS n, count(DISTINCT replay_of) AS originals FROM events WHERE replay_name = 'big'`,
      )
      .get() as { n: number; originals: number };
    expect(rows).to.deep.equal({ n: 10_050, originals: 10_050 });
    const followUps = server.local.store.db
      .prepare(
        `SELECT count(*) AS n FROM events r JOIN events o ON o.id = r.replay_of WHERE r.replay_name = 'big' AND o.source != ?`,
      )
      .get(API_SOURCE) as { n: number };
    expect(followUps.n).to.equal(0);
    expect(await until(() => delivered === 10_050, 60_000)).to.equal(true);
  });

  const names: { name: unknown; status: number }[] = [
    { name: "ok.name-1_X", status: 202 },
    { name: "r".repeat(64), status: 202 },
    { name: "r".repeat(65), status: 400 },
    { name: "", status: 400 },
    { name: "with space", status: 400 },
    { name: "replay:2026", status: 400 },
    { name: "x".repeat(1_000_000), status: 400 },
  ];
  it("accepts a name of 1 to 64 of [.-_A-Za-z0-9] and refuses any other with 400 naming the rule", async () => {
    const server = await start(freshDb(), [pingRoute("ping", () => undefined)]);
    for (const c of names) {
      const reply = await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name: c.name } });
      expect(reply.status, String(c.name).slice(0, 70)).to.equal(c.status);
      if (c.status === 400) expect(reply.body.message).to.match(/EventBridge replay name/);
    }
    const again = await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name: "ok.name-1_X" } });
    expect(again.status).to.equal(409);
    expect(again.body).to.include({ error: "Conflict" });
  });

  it("lists replays by name, paged with a cursor, filtered by prefix and state", async () => {
    const server = await start(freshDb(), [pingRoute("ping", () => undefined)]);
    for (const name of ["b-second", "a-first", "c-third", "other"])
      await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name } });
    await untilState(server.url, "other", "COMPLETED");
    const list = async (query: string) =>
      (await request(`${server.url}/local/replays?${query}`)).body as {
        replays: { replayName: string }[];
        nextCursor: string | null;
      };
    const names = (page: { replays: { replayName: string }[] }) => page.replays.map((r) => r.replayName);

    const first = await list("limit=2");
    const second = await list(`limit=2&cursor=${first.nextCursor}`);
    const prefixed = await list("prefix=a-");

    expect(names(first)).to.deep.equal(["a-first", "b-second"]);
    expect(first.nextCursor).to.equal("2");
    expect(names(second)).to.deep.equal(["c-third", "other"]);
    expect(second.nextCursor).to.equal(null);
    expect(names(prefixed)).to.deep.equal(["a-first"]);
    expect(names(await list("state=COMPLETED"))).to.include("other");
    const unknown = await request(`${server.url}/local/replays?state=DONE`);
    expect(unknown.status).to.equal(400);
    expect(unknown.body.message).to.match(
      /^query state must be one of STARTING, RUNNING, .*FAILED; got "DONE"$/,
    );
  });

  it("refuses a replay body with a key it does not read, an empty route list, or both route forms", async () => {
    const server = await start(freshDb(), [pingRoute("ping", () => undefined)]);
    const cases: [body: Record<string, unknown>, message: RegExp][] = [
      [
        { rout: "ping" },
        /^body\.rout is not allowed; the body takes from, to, name, route, routes, description$/,
      ],
      [{ routes: [] }, /body\.routes a non-empty list/],
      [{ route: "ping", routes: ["ping"] }, /body\.route or body\.routes, not both/],
    ];
    for (const [extra, message] of cases) {
      const reply = await request(`${server.url}/local/replay`, {
        body: { ...ALL_TIME, name: "x", ...extra },
      });
      expect(reply.status, JSON.stringify(extra)).to.equal(400);
      expect(reply.body.message, JSON.stringify(extra)).to.match(message);
    }
    expect((await request(`${server.url}/local/replays/x`)).status).to.equal(404);
  });

  it("takes a description of up to 512 characters, as StartReplay does, and refuses a longer one", async () => {
    const server = await start(freshDb(), [pingRoute("ping", () => undefined)]);
    const send = (name: string, description: string) =>
      request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name, description } });

    const longest = await send("described", "d".repeat(512));
    const tooLong = await send("over-described", "d".repeat(513));

    expect(longest.status).to.equal(202);
    expect(tooLong.status).to.equal(400);
    expect(tooLong.body.message).to.match(/description is 513 characters; at most 512/);
    expect((await request(`${server.url}/local/replays/over-described`)).status).to.equal(404);
  });

  it("pauses at the backlog bound, then resumes as deliveries finish, restricted to the route it was given", async () => {
    const db = freshDb();
    await archive(db, 30);
    const { wait, release } = gated();
    const server = await start(db, [pingRoute("ping", wait), pingRoute("other", () => undefined)], {
      maxPending: 10,
    });

    await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name: "bounded", route: "ping" } });
    const paused = await until(async () => (await replay(server.url, "bounded")).paused, 10_000);

    expect(paused).to.equal(true);
    const view = await replay(server.url, "bounded");
    expect(view).to.include({ state: "RUNNING", replayed: 10, total: 30 });
    expect(view.routes).to.deep.equal(["ping"]);
    expect(view.stateReason).to.match(/backlog/);
    expect(server.local.store.openDeliveries).to.equal(10);

    release();
    const done = await untilState(server.url, "bounded", "COMPLETED");
    expect(done).to.include({ replayed: 30, paused: false });
    const routesOfReplays = server.local.store.db
      .prepare(
        `SELECT DISTINCT d.route_key AS key FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.replay_name = 'bounded'`,
      )
      .all();
    expect(routesOfReplays).to.deep.equal([{ key: "ping" }]);
  });

  it("waits through a full disk, RUNNING, then completes every original once space returns", async () => {
    const db = freshDb();
    await archive(db, 30);
    const { wait, release } = gated();
    const server = await start(db, [pingRoute("ping", wait)], { maxPending: 10 });
    await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name: "through-full" } });
    await until(async () => (await replay(server.url, "through-full")).paused, 10_000);
    const store = server.local.store;

    // The disk fills while the replay waits at the backlog bound; then deliveries finish and make room.
    store.db.pragma(`max_page_count = ${store.db.pragma("page_count", { simple: true }) as number}`);
    release();
    await until(async () => !store.health().ok, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    const during = await replay(server.url, "through-full");
    store.db.pragma("max_page_count = 1000000");
    const done = await untilState(server.url, "through-full", "COMPLETED");

    expect(during.state, JSON.stringify(during)).to.equal("RUNNING");
    expect(during.replayed).to.equal(10);
    expect(done).to.include({ replayed: 30, total: 30 });
    const replayed = store.db
      .prepare(
        `SELECT count(*) AS n, count(DISTINCT replay_of) AS originals FROM events WHERE replay_name = ?`,
      )
      .get("through-full");
    expect(replayed).to.deep.equal({ n: 30, originals: 30 });
  });

  it("cancels a running replay: CANCELLING, then CANCELLED, with what it re-sent so far", async () => {
    const db = freshDb();
    await archive(db, 30);
    const { wait, release } = gated();
    const server = await start(db, [pingRoute("ping", wait)], {
      maxPending: 5,
    });
    await request(`${server.url}/local/replay`, { body: { ...ALL_TIME, name: "stop-me" } });
    await until(async () => (await replay(server.url, "stop-me")).paused, 10_000);

    const cancel = await request(`${server.url}/local/replays/stop-me/cancel`, { method: "POST" });

    expect(cancel.status).to.equal(200);
    expect(cancel.body.state).to.equal("CANCELLING");
    const cancelled = await untilState(server.url, "stop-me", "CANCELLED", 10_000);
    expect(cancelled.replayed).to.equal(5);
    const again = await request(`${server.url}/local/replays/stop-me/cancel`, { method: "POST" });
    expect(again.status).to.equal(409);
    release();
  });

  it("resumes a replay interrupted by a stop where its last page ended: every original once, none twice", async () => {
    const db = freshDb();
    await archive(db, 40);
    const { wait, release } = gated();
    const first = await start(db, [pingRoute("ping", wait)], {
      maxPending: 15,
    });
    await request(`${first.url}/local/replay`, { body: { ...ALL_TIME, name: "durable" } });
    await until(async () => (await replay(first.url, "durable")).paused, 10_000);
    expect((await replay(first.url, "durable")).replayed).to.equal(15);
    // The engine stops first on close; the held attempts then finish within the close.
    const closing = first.local.close();
    release();
    await closing;
    servers = [];

    const second = await start(db, [pingRoute("ping", () => undefined)]);
    const done = await untilState(second.url, "durable", "COMPLETED");

    expect(done).to.include({ replayed: 40, total: 40 });
    const counts = second.local.store.db
      .prepare(
        `SELECT count(*) AS n, count(DISTINCT replay_of) AS originals FROM events WHERE replay_name = 'durable'`,
      )
      .get();
    expect(counts).to.deep.equal({ n: 40, originals: 40 });
  });

  it("answers 404 for an unknown replay", async () => {
    const server = await start(freshDb(), [pingRoute("ping", () => undefined)]);
    expect((await request(`${server.url}/local/replays/nope`)).status).to.equal(404);
  });
});
