/**
 * The delivery thread (`delivery: "thread"`, `BACKBONE_DELIVERY=thread npm start`): the product description's
 * scenarios with their processing outcomes, retries, dead letters and redrive through its write path, and a
 * processor that crashes the thread (ingest carries on, the thread is restarted, the event is delivered).
 * The SIGKILL durability check of `local/main.ts` in this mode is in crash.spec.ts.
 */
import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runScenarios, scenarios } from "../../../local/scenarios";
import {
  accept,
  fixture,
  request,
  route,
  startLocal,
  tempDir,
  until,
  waitFor,
  type Running,
} from "../helpers";

const ROUTES_MODULE = join(__dirname, "fixtures/thread-routes.ts");

describe("local stack: the delivery thread", function () {
  this.timeout(60_000);

  describe("with the routing table of npm start", () => {
    let server: Running;
    before(async () => {
      server = await startLocal({ delivery: "thread" });
    });
    after(async () => server?.stop());

    it("runs on a worker thread and says so in /local/health", async () => {
      const health = await request(`${server.url}/local/health`);
      expect(server.local.delivery).to.equal("thread");
      expect(health.body.delivery).to.equal("thread");
    });

    it("passes every scenario of the product description, processing outcomes and emits included", async () => {
      const results = await runScenarios({ url: `${server.url}/events` });
      const failed = results.filter((r) => !r.ok).map((r) => ({ name: r.name, failures: r.failures }));
      expect(failed).to.deep.equal([]);
      const withOutcome = scenarios.filter((s) => s.expect.outcome).map((s) => s.name);
      expect(results.filter((r) => r.outcomeChecked).map((r) => r.name)).to.deep.equal(withOutcome);
    });
  });

  describe("with failing and crashing processors (routesModule)", () => {
    const temp = tempDir();
    const crashMarker = join(temp.dir, "crashed");
    const healMarker = join(temp.dir, "healed");
    let server: Running;
    before(async () => {
      process.env.BACKBONE_TEST_CRASH_MARKER = crashMarker;
      process.env.BACKBONE_TEST_HEAL_MARKER = healMarker;
      server = await startLocal({ delivery: "thread", routesModule: ROUTES_MODULE, retryBaseDelayMs: 10 });
    });
    after(async () => {
      delete process.env.BACKBONE_TEST_CRASH_MARKER;
      delete process.env.BACKBONE_TEST_HEAL_MARKER;
      await server?.stop();
      temp.remove();
    });

    it("keeps accepting while a processor crashes the thread, restarts it and delivers the event", async () => {
      const user = (userId: string) => ({ ...fixture("user-registered").detail, userId });
      const crashing = await accept(server.url, "user-registered", user("CRASH-1"));
      expect(await until(() => existsSync(crashMarker)), "the processor crashed its thread").to.equal(true);
      const during = await accept(server.url, "user-registered", user("DURING-RESTART"));

      for (const [id, userId] of [
        [crashing, "CRASH-1"],
        [during, "DURING-RESTART"],
      ]) {
        const view = await waitFor(server.url, id);
        expect(view.status, userId).to.equal("done");
        expect(route(view, "thread-crasher").result).to.deep.equal({ survived: true, userId });
      }
    });

    it("retries, dead-letters, and delivers after a redrive", async () => {
      const id = await accept(server.url, "analytics-event", fixture("analytics-event.seed").detail);
      const dead = await waitFor(server.url, id, (v) => v.status === "dead-lettered");
      expect(route(dead, "thread-dlq")).to.include({ attempts: 2, error: "Error: not healed yet" });
      const dlq = await request(`${server.url}/local/dlq`);
      const entry = (dlq.body.entries as { id: number; eventId: string }[]).find((e) => e.eventId === id);
      expect(entry, dlq.text).to.not.equal(undefined);

      writeFileSync(healMarker, "");
      const redrive = await request(`${server.url}/local/dlq/redrive`, { body: { ids: [entry?.id] } });
      expect(redrive.body.redriven).to.equal(1);
      const done = await waitFor(server.url, id, (v) => v.status === "done");
      expect(route(done, "thread-dlq").result).to.deep.equal({ healed: true });
    });
  });
});
