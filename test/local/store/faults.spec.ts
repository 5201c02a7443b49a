/**
 * Storage faults are states of the Store, never uncaught SQLite errors: a full disk (simulated with
 * `PRAGMA max_page_count`) refuses new events with a `StorageFault` and keeps every outcome it cannot write,
 * in order, until space returns; a damaged file or a second server is refused at open with a message naming the
 * file; a deleted or replaced file is noticed; a stored processor result is capped.
 */
import Database from "better-sqlite3";
import { expect } from "chai";
import { existsSync, openSync, renameSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import type { RouteRow } from "../../../infra/table";
import type { Bus } from "../../../local/bus";
import { StorageFault, StoreOpenError, type ClaimedDelivery, type Store } from "../../../local/store";
import { Checkpointer } from "../../../local/store/checkpointer";
import { openBus, openStore, tempDir, until } from "../helpers";

const routes = [{ key: "orders", pattern: { "detail-type": ["order-created"] } }] as unknown as RouteRow[];
/** Larger than a page: storing it needs new pages, which a full disk refuses. */
const BIG = "x".repeat(20_000);

/** The disk is full: the file may not grow by one page. */
function fill(store: Store): void {
  const pages = store.db.pragma("page_count", { simple: true }) as number;
  store.db.pragma(`max_page_count = ${pages}`);
}
/** Space returns. */
function free(store: Store): void {
  store.db.pragma("max_page_count = 1000000");
}

/** The claimed delivery of the first route of event `id`, as the delivery loop would hold it. */
function claim(store: Store, id: string): ClaimedDelivery {
  const row = store.event(id)!;
  return { ...store.deliveriesOf(row)[0], envelope: row.envelope, seq: row.seq, attempts: 1 };
}

function statusOf(store: Store, id: string): string | undefined {
  const row = store.db.prepare(`SELECT status FROM deliveries WHERE event_id = ?`).get(id) as
    { status: string } | undefined;
  return row?.status;
}

describe("local stack: storage faults in the store", function () {
  let temp: ReturnType<typeof tempDir>;
  let file: string;
  let store: Store;
  let bus: Bus;
  const put = (detail: Record<string, unknown> = {}) =>
    bus.put([{ source: "backbone.test", detailType: "order-created", detail }])[0];

  beforeEach(() => {
    temp = tempDir();
    file = join(temp.dir, "bus.db");
    store = openStore(file, { storageCheckMs: 50 });
    bus = openBus(store, routes);
  });
  afterEach(async () => {
    await store.close();
    temp.remove();
  });

  it("refuses an event on a full disk with a StorageFault, keeps what it had, and accepts again when space returns", async () => {
    const before = put();
    fill(store);

    expect(() => put({ pad: BIG })).to.throw(StorageFault, /disk is full/);
    expect(store.health()).to.deep.include({ ok: false, state: "full" });
    expect(store.health().message).to.include(file);
    expect(store.countEvents()).to.equal(1);
    expect(store.event(before)).to.not.equal(undefined);

    free(store);
    expect(await until(() => store.health().ok, 2000), "the check found space again").to.equal(true);
    expect(put({ pad: BIG })).to.be.a("string");
    expect(store.countEvents()).to.equal(2);
  });

  it("keeps an outcome it cannot write, pauses due work, and writes it when space returns", async () => {
    const [first, second] = [put(), put()];
    fill(store);

    store.markDone(claim(store, first), { pad: BIG }, Date.now());
    expect(() => store.flush()).to.not.throw();

    expect(store.health()).to.deep.include({ ok: false, state: "full", unwritten: 1 });
    expect(statusOf(store, first), "nothing written").to.equal(undefined);
    expect(store.dueDeliveries(Date.now(), 10, new Set()), "delivery pauses").to.deep.equal([]);
    expect(store.openDeliveries).to.equal(1);

    free(store);
    expect(await until(() => store.health().ok, 2000)).to.equal(true);
    expect(statusOf(store, first)).to.equal("done");
    expect(store.health().unwritten).to.equal(0);
    expect(store.dueDeliveries(Date.now(), 10, new Set()).map((d) => d.event_id)).to.deep.equal([second]);
  });

  it("keeps retries and dead letters it cannot write, never hands them out, and writes them in order later", async () => {
    const [retried, dead] = [put(), put()];
    store.dueDeliveries(Date.now(), 10, new Set());
    fill(store);

    expect(() => store.markRetry(claim(store, retried), Date.now() - 1, BIG, Date.now())).to.not.throw();
    expect(() => store.markDead(claim(store, dead), BIG, Date.now())).to.not.throw();
    expect(store.health()).to.deep.include({ ok: false, unwritten: 2 });

    free(store);
    // The pause holds until the monitor has written both.
    expect(await until(() => store.health().ok, 2000)).to.equal(true);
    expect(statusOf(store, retried)).to.equal("retrying");
    expect(statusOf(store, dead)).to.equal("dead");
    expect(store.countDlq()).to.equal(1);
    expect(store.dueDeliveries(Date.now(), 10, new Set()).map((d) => d.event_id)).to.deep.equal([retried]);
  });

  it("closes on a full disk without throwing, and the next start delivers what it could not write", async () => {
    const id = put();
    fill(store);
    store.markDone(claim(store, id), { pad: BIG }, Date.now());
    await store.close();

    store = openStore(file);
    expect(store.openDeliveries).to.equal(1);
    expect(store.dueDeliveries(Date.now(), 10, new Set()).map((d) => d.event_id)).to.deep.equal([id]);
  });

  it("notices a deleted file within its check, then refuses events and writes nothing", async () => {
    put();
    unlinkSync(file);

    expect(await until(() => store.health().state === "gone", 1000)).to.equal(true);
    const health = store.health();
    expect(health.ok).to.equal(false);
    expect(health.message).to.match(new RegExp(`${file} was deleted while the server ran`));
    expect(health.message).to.match(/\/proc\/\d+\/fd\/\d+/);
    expect(() => put()).to.throw(StorageFault, /was deleted/);
  });

  it("notices a replaced file", async () => {
    put();
    const other = join(temp.dir, "other.db");
    new Database(other).close();
    renameSync(other, file);

    expect(await until(() => store.health().state === "gone", 1000)).to.equal(true);
    expect(store.health().message).to.match(/was replaced/);
    expect(() => put()).to.throw(StorageFault, /was replaced/);
  });

  it("caps a stored processor result, marked truncated with its size, in the delivery row and the idempotency table", () => {
    const id = put();
    const huge = { items: Array.from({ length: 50_000 }, (_, i) => `item-${i}`) };
    const size = Buffer.byteLength(JSON.stringify(huge));
    store.putIdempotent(`orders:${id}`, huge, Date.now());
    store.markDone(claim(store, id), huge, Date.now());
    store.flush();

    const row = store.db.prepare(`SELECT result FROM deliveries WHERE event_id = ?`).get(id) as {
      result: string;
    };
    const cap = 256 * 1024;
    expect(Buffer.byteLength(row.result)).to.be.at.most(cap);
    const kept = JSON.parse(row.result) as { truncated: boolean; bytes: number; head: string };
    expect(kept).to.include({ truncated: true, bytes: size });
    expect(JSON.stringify(huge).startsWith(kept.head)).to.equal(true);
    expect(store.getIdempotent(`orders:${id}`)).to.deep.equal({ result: kept });
  });
});

describe("local stack: the checkpoint thread", function () {
  it("reports a failing checkpoint to its callback, and the process carries on", async () => {
    const temp = tempDir();
    const file = join(temp.dir, "not-a-db");
    const fd = openSync(file, "w");
    writeSync(fd, "text, not a database\n".repeat(400));
    closeSync(fd);
    const errors: string[] = [];
    const checkpointer = new Checkpointer(file, 20, (message) => errors.push(message));
    try {
      expect(await until(() => errors.length > 0, 5000)).to.equal(true);
      expect(errors[0]).to.match(/not a database/);
    } finally {
      await checkpointer.stop();
      temp.remove();
    }
  });

  it("on a file deleted before it opened it: creates no file (it stays deleted, not replaced), says why it stopped", async () => {
    const temp = tempDir();
    const file = join(temp.dir, "bus.db");
    const errors: string[] = [];
    const checkpointer = new Checkpointer(file, 20, (message) => errors.push(message));
    try {
      expect(await until(() => errors.length > 0, 5000)).to.equal(true);
      expect(errors[0]).to.match(/unable to open database file|does not exist/i);
      expect(existsSync(file)).to.equal(false);
    } finally {
      await checkpointer.stop();
      temp.remove();
    }
  });
});

describe("local stack: opening a database file", function () {
  let temp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    temp = tempDir();
    file = join(temp.dir, "bus.db");
  });
  afterEach(() => temp.remove());

  it("refuses a damaged file (PRAGMA quick_check), naming it and how to recover", async () => {
    const store = openStore(file);
    const bus = openBus(store, routes);
    for (let i = 0; i < 200; i++)
      bus.put([{ source: "backbone.test", detailType: "order-created", detail: { i, BIG } }]);
    await store.close();
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 40);
    closeSync(fd);

    expect(() => openStore(file)).to.throw(StoreOpenError, new RegExp(`${file} is damaged .*\\.recover`));
  });

  it("refuses a file that is not a database", () => {
    const fd = openSync(file, "w");
    writeSync(fd, "not a database, only text\n".repeat(400));
    closeSync(fd);
    expect(() => openStore(file)).to.throw(StoreOpenError, /is damaged \(file is not a database\)/);
  });

  it("refuses a second server on the same file, naming the holder, and lets one in once it closes", async () => {
    const first = openStore(file, { lock: true });
    try {
      expect(() => openStore(file, { lock: true })).to.throw(
        StoreOpenError,
        new RegExp(`${file} is in use by another local stack \\(pid ${process.pid}, since .*\\); stop it`),
      );
    } finally {
      await first.close();
    }
    const second = openStore(file, { lock: true });
    await second.close();
  });
});
