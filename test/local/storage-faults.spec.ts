/**
 * Storage faults over HTTP, with processors isolated and not: with the disk full (`PRAGMA max_page_count`) new events get
 * 503 `ServiceUnavailable` with `Retry-After` (the contract's shape on `POST /events`, AWS's on PutEvents), health
 * is not ok, delivery pauses and keeps the outcomes it cannot write; when space returns everything acknowledged
 * is processed exactly once and the server accepts again, on its own. A database file deleted or replaced
 * while the server runs is noticed within a second.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import { renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  accept,
  ebClient,
  fixture,
  postEvent,
  request,
  route,
  startLocal,
  tempDir,
  until,
  waitFor,
  type Running,
} from "./helpers";

const ROUTES_MODULE = join(__dirname, "store/fixtures/gated-routes.ts");
const order = fixture("order-created.seed").detail;
/** Larger than a page: committing it needs new pages, which a full disk refuses. */
const pad = "x".repeat(20_000);

/** The server's connection may not grow the file by one page. */
function fill(server: Running): void {
  const pages = server.local.store.db.pragma("page_count", { simple: true }) as number;
  server.local.store.db.pragma(`max_page_count = ${pages}`);
}

for (const isolation of ["workers", "none"] as const) {
  describe(`local stack: a full disk (processors: ${isolation === "workers" ? "isolated workers" : "unisolated"})`, function () {
    this.timeout(60_000);
    const temp = tempDir();
    const gate = join(temp.dir, "gate");
    let server: Running;
    before(async () => {
      // Before the app starts: a processor worker copies the environment when it starts.
      process.env.BACKBONE_TEST_GATE = gate;
      server = await startLocal({ isolation, routesModule: ROUTES_MODULE, storageCheckMs: 100 });
    });
    after(async () => {
      delete process.env.BACKBONE_TEST_GATE;
      await server?.stop();
      temp.remove();
    });

    it("answers 503 with Retry-After, pauses, loses nothing acknowledged and resumes on its own", async () => {
      // Accepted before the disk fills; their processors wait for the gate, so their outcomes come after.
      const ids = await Promise.all(
        [1, 2, 3].map((n) => accept(server.url, "order-created", { ...order, orderId: `O-${n}` })),
      );
      fill(server);

      const refused = await postEvent(server.url, "order-created", { ...order, orderId: "O-refused", pad });
      expect(refused.status, refused.text).to.equal(503);
      expect(refused.headers.get("retry-after")).to.equal("1");
      expect(refused.body.error).to.equal("ServiceUnavailable");
      expect(refused.body.message).to.match(/disk is full/);

      const client = ebClient(server.url);
      try {
        const err = await client
          .send(
            new PutEventsCommand({
              Entries: [
                {
                  Source: "backbone.crm",
                  DetailType: "order-created",
                  Detail: JSON.stringify({ ...order, pad }),
                  EventBusName: "backbone",
                },
              ],
            }),
          )
          .then(
            () => undefined,
            (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
          );
        expect(err?.name).to.equal("ServiceUnavailable");
        expect(err?.$metadata?.httpStatusCode).to.equal(503);
      } finally {
        client.destroy();
      }

      const health = await request(`${server.url}/local/health`);
      expect(health.status).to.equal(503);
      expect(health.body.status).to.equal("unavailable");
      expect(health.body.storage).to.deep.include({ ok: false, state: "full" });

      // The processors finish now; their outcomes cannot be written and wait in memory.
      writeFileSync(gate, "open");
      const kept = await until(async () => {
        const h = await request(`${server.url}/local/health`);
        return (h.body.storage as { unwritten: number }).unwritten >= ids.length;
      }, 10_000);
      expect(kept, "the outcomes are kept unwritten").to.equal(true);
      for (const id of ids) {
        const view = await request(`${server.url}/local/events/${id}`);
        expect((view.body.routes as { status: string }[])[0].status, "nothing written yet").to.not.equal(
          "done",
        );
      }

      server.local.store.db.pragma("max_page_count = 1000000");

      for (const id of ids) {
        const view = await waitFor(server.url, id);
        expect(route(view, "gated")).to.deep.include({ status: "done", attempts: 1 });
      }
      const healed = await request(`${server.url}/local/health`);
      expect(healed.status).to.equal(200);
      expect(healed.body.storage).to.deep.include({ ok: true, unwritten: 0 });
      const after = await accept(server.url, "order-created", { ...order, orderId: "O-after" });
      expect(route(await waitFor(server.url, after), "gated").status).to.equal("done");
    });
  });
}

describe("local stack: the database file deleted or replaced while running", function () {
  this.timeout(30_000);

  for (const how of ["deleted", "replaced"] as const) {
    it(`notices it ${how} within a second: new events get 503 and health is not ok`, async () => {
      const server = await startLocal();
      try {
        const before = await accept(server.url, "order-created", order);
        await waitFor(server.url, before);
        const file = join(server.dir, "backbone.db");
        if (how === "deleted") unlinkSync(file);
        else {
          new Database(join(server.dir, "other.db")).close();
          renameSync(join(server.dir, "other.db"), file);
        }
        const started = Date.now();
        // A write may fail first (an I/O error, already a 503); the file check then names what happened.
        const noticed = await until(
          async () => {
            const health = await request(`${server.url}/local/health`);
            return health.status === 503 && (health.body.storage as { state: string }).state === "gone";
          },
          2000,
          20,
        );
        expect(noticed, "health turned 503").to.equal(true);
        // The check runs every 500 ms (DEFAULTS.storageCheckMs).
        expect(Date.now() - started).to.be.below(1500);

        const health = await request(`${server.url}/local/health`);
        expect(health.body.storage).to.deep.include({ ok: false, state: "gone" });
        const refused = await postEvent(server.url, "order-created", order);
        expect(refused.status).to.equal(503);
        expect(refused.body.error).to.equal("ServiceUnavailable");
        expect(refused.body.message).to.match(new RegExp(`was ${how} while the server ran`));
      } finally {
        await server.stop();
      }
    });
  }
});
