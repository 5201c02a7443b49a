/**
 * Processors isolated as Lambda isolates them (the default, `local/delivery/pool/`), with a table of processors
 * that crash on purpose (`fixtures/crash-routes.ts`, loaded by each worker as `routesModule`): every crash mode
 * is a failed attempt with Lambda's words, retried by the row's policy, then dead-lettered; the server and every
 * other route carry on; the worker is replaced on the next attempt, never in a loop; a timeout stops the attempt
 * and publishes nothing it emits late. On the code before the pool, each of these crashed the test process.
 */
import { expect } from "chai";
import { join } from "node:path";
import type { DeliveryOutcome } from "../../../local/delivery";
import { buildApp } from "../../../local/app";
import { accept, request, route, sleep, startLocal, tempDir, until, waitFor, type Running } from "../helpers";

const ROUTES_MODULE = join(__dirname, "fixtures/crash-routes.ts");

/** Waits until the event's delivery on `routeKey` is dead-lettered; returns that route's view. */
async function deadLetter(server: Running, id: string, routeKey: string) {
  const view = await waitFor(server.url, id, (v) => v.status === "dead-lettered", 20_000);
  return route(view, routeKey);
}

describe("local stack: processors isolated in workers", function () {
  this.timeout(60_000);
  let server: Running;
  const outcomes: DeliveryOutcome[] = [];
  /** `slow-followup` events on the server so far (the tests share it, so each compares before and after). */
  const slowFollowUps = async () =>
    (
      (await request(`${server.url}/local/events?detail-type=slow-followup&limit=1000`)).body
        .events as unknown[]
    ).length;
  before(async () => {
    server = await startLocal({
      routesModule: ROUTES_MODULE,
      retryBaseDelayMs: 10,
      onOutcome: (o) => outcomes.push(o),
    });
  });
  after(async () => server?.stop());

  const stats = () => server.local.pool!.stats;

  it("is the default, and /local/health says so", async () => {
    const health = await request(`${server.url}/local/health`);
    expect(server.local.isolation).to.equal("workers");
    expect(health.body.isolation).to.equal("workers");
  });

  const crashes: { mode: string; detail: Record<string, unknown>; error: string }[] = [
    {
      mode: "a throw inside a timer",
      detail: { mode: "throw-in-timer" },
      error: "Uncaught Exception: Error: thrown in a timer",
    },
    {
      mode: "an unhandled rejection",
      detail: { mode: "reject-unhandled" },
      error: "Runtime.UnhandledPromiseRejection: Error: nobody awaited this",
    },
    {
      mode: "process.exit(3)",
      detail: { mode: "exit", code: 3 },
      error: "Runtime.ExitError: Runtime exited with error: exit status 3",
    },
    {
      mode: "process.exit(0)",
      detail: { mode: "exit", code: 0 },
      error: "Runtime.ExitError: Runtime exited without providing a reason",
    },
  ];
  for (const c of crashes) {
    it(`fails the attempt on ${c.mode}, retries it once as its row says, then dead-letters it with Lambda's words`, async () => {
      const id = await accept(server.url, "crash-test", c.detail);

      const crasher = await deadLetter(server, id, "crasher");

      expect(crasher).to.include({ attempts: 2, error: c.error });
      const dlq = await request(`${server.url}/local/dlq`);
      const entry = (dlq.body.entries as { eventId: string; error: string; attempts: number }[]).find(
        (e) => e.eventId === id,
      );
      expect(entry).to.include({ error: c.error, attempts: 2 });
      // The worker was replaced: the route's next event is processed.
      const next = await waitFor(server.url, await accept(server.url, "crash-test", { mode: "ok", n: 1 }));
      expect(route(next, "crasher").result).to.deep.equal({ ok: true, n: 1 });
    });
  }

  it("stops a processor at its row's memoryMb (the worker's heap limit) with Runtime.OutOfMemory", async () => {
    // The 32 MB worker runs a normal event first: what fails later is the processor's allocation, not the start.
    const fine = await waitFor(server.url, await accept(server.url, "heap-test", { mode: "ok" }));
    expect(route(fine, "heap").status).to.equal("done");

    const id = await accept(server.url, "heap-test", { mode: "allocate" });

    const heap = await deadLetter(server, id, "heap");
    expect(heap).to.include({
      attempts: 2,
      error:
        "Runtime.OutOfMemory: Runtime exited with error: the processor reached its heap limit (memoryMb 32)",
    });
    const health = await request(`${server.url}/local/health`);
    expect(health.status).to.equal(200);
  });

  it("stops a timed-out attempt and publishes nothing it emits after its timeout", async () => {
    const before = await slowFollowUps();
    const id = await accept(server.url, "slow-test", { mode: "sleep", ms: 1000 });

    const slow = await deadLetter(server, id, "slow");
    expect(slow).to.include({ attempts: 1, error: "Task timed out after 0.30 seconds" });
    // Past the moment the processor would have emitted, had it kept running.
    await sleep(1200);
    expect(await slowFollowUps()).to.equal(before);
    expect(stats().timedOut).to.be.at.least(1);
  });

  it("terminates a timed-out attempt that never yields: its thread stops, the route's next event runs", async () => {
    const spinning = await accept(server.url, "slow-test", { mode: "spin" });

    const dead = await deadLetter(server, spinning, "slow");
    const cpu = process.cpuUsage();
    await sleep(500);
    const used = process.cpuUsage(cpu);
    const next = await accept(server.url, "slow-test", { mode: "sleep", ms: 0 });
    const view = await waitFor(server.url, next);

    expect(dead).to.include({ error: "Task timed out after 0.30 seconds" });
    // A thread still spinning would keep a core busy in this process (the server runs in it).
    expect((used.user + used.system) / 1000, "ms of CPU in 500 ms").to.be.below(250);
    expect(route(view, "slow")).to.deep.include({ status: "done", result: { emitted: true } });
  });

  it("keeps the first 4,096 characters of a huge error, saying how long it was, in the row, history and DLQ", async () => {
    const id = await accept(server.url, "crash-test", { mode: "huge-error" });

    const dead = await deadLetter(server, id, "crasher");

    const expected = `Error: ${"e".repeat(4089)}… (truncated: 1000007 characters in all)`;
    expect(dead.error).to.equal(expected);
    const stored = server.local.store.db
      .prepare(
        `SELECT (SELECT error FROM dlq WHERE event_id = ?) AS dlq, (SELECT max(length(error)) FROM attempts WHERE event_id = ?) AS longest`,
      )
      .get(id, id) as { dlq: string; longest: number };
    expect(stored).to.deep.equal({ dlq: expected, longest: expected.length });
  });

  it("publishes the emits of an attempt that ends in time", async () => {
    const before = await slowFollowUps();
    const id = await accept(server.url, "slow-test", { mode: "sleep", ms: 0 });

    const view = await waitFor(server.url, id);

    expect(route(view, "slow").result).to.deep.equal({ emitted: true });
    expect(await slowFollowUps()).to.equal(before + 1);
  });

  it("keeps every other event flowing while one processor crashes again and again", async () => {
    const crashing: string[] = [];
    const steady: string[] = [];
    for (let n = 0; n < 20; n++) {
      crashing.push(await accept(server.url, "crash-test", { mode: "exit", code: 1, n }));
      steady.push(await accept(server.url, "steady-test", { mode: "ok", n }));
      steady.push(await accept(server.url, "steady-test", { mode: "ok", n }));
    }

    for (const id of steady) {
      expect(route(await waitFor(server.url, id), "steady").status, id).to.equal("done");
    }
    for (const id of crashing) {
      expect((await deadLetter(server, id, "crasher")).error).to.equal(
        "Runtime.ExitError: Runtime exited with error: exit status 1",
      );
    }
    const steadyOutcomes = outcomes.filter((o) => o.routeKey === "steady");
    expect(
      steadyOutcomes.filter((o) => o.status !== "done"),
      "no steady attempt failed",
    ).to.deep.equal([]);
  });

  it("replaces a crashed worker only when its route has work: no restart loop", async () => {
    const id = await accept(server.url, "crash-test", { mode: "throw-in-timer" });
    await deadLetter(server, id, "crasher");
    const settled = stats();

    await sleep(1500);

    expect(stats().started, "workers started while nothing was delivered").to.equal(settled.started);
    expect(stats().crashed).to.equal(settled.crashed);
    expect(await until(async () => (await request(`${server.url}/local/health`)).body.open === 0)).to.equal(
      true,
    );
  });
});

describe("local stack: stopping with attempts in the workers", function () {
  this.timeout(60_000);

  it("leaves an attempt the stop interrupts to the next start, without costing it an attempt", async () => {
    const { dir, remove } = tempDir();
    const dbPath = join(dir, "backbone.db");
    try {
      const first = buildApp({ dbPath, routesModule: ROUTES_MODULE });
      const url = await first.listen();
      // `steady` has no retry: had the interrupted attempt counted, the event would be dead-lettered.
      const id = await accept(url, "steady-test", { mode: "sleep", ms: 2000, n: 7 });
      expect(await until(() => first.worker.inFlight === 1)).to.equal(true);
      await first.worker.stop(50);
      await first.close();

      const second = buildApp({ dbPath, routesModule: ROUTES_MODULE });
      try {
        const view = await waitFor(await second.listen(), id, undefined, 20_000);
        expect(route(view, "steady")).to.deep.include({
          status: "done",
          attempts: 1,
          result: { ok: true, n: 7 },
        });
      } finally {
        await second.close();
      }
    } finally {
      remove();
    }
  });
});
