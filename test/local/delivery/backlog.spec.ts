/**
 * The backlog bound (`POST /events` and PutEvents answer 429 at `maxPending`) and a backlog larger than the
 * delivery loop's in-memory queue: nothing is refused below the bound or left undelivered above the queue.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import type { RouteRow } from "../../../infra/table";
import { NotificationSent } from "../../../processors/notification";
import {
  accept,
  ebClient,
  fixture,
  postEvent,
  sleep,
  startLocal,
  waitFor,
  withStack,
  type Running,
} from "../helpers";
import { row } from "./rows";

describe("local stack: backlog bound", function () {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const table: RouteRow[] = [
    row("gated", NotificationSent, "notification-sent", () => gate.then(() => ({ ok: true })), {
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 60,
    }),
  ];
  let server: Running;
  before(async () => {
    server = await startLocal({ routes: table, maxPending: 3, concurrency: 1 });
  });
  after(async () => {
    release();
    await server?.stop();
  });

  it("answers 429 with Retry-After when the backlog is full, and accepts again once it drains", async () => {
    const detail = fixture("notification-sent").detail;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await accept(server.url, "notification-sent", detail));

    const throttled = await postEvent(server.url, "notification-sent", detail);

    expect(throttled.status).to.equal(429);
    expect(throttled.headers.get("retry-after")).to.equal("1");
    expect(throttled.body).to.include({ error: "TooManyRequests" });
    expect(throttled.body.message).to.match(/backlog/);

    // PutEvents (which processors' emits use) has headroom up to twice the bound, then throttles like AWS.
    const client = ebClient(server.url);
    const entry = {
      Source: "backbone.test",
      DetailType: "notification-sent",
      Detail: JSON.stringify(detail),
      EventBusName: "backbone",
    };
    const headroom = await client.send(new PutEventsCommand({ Entries: [entry, entry, entry] }));
    expect(headroom.FailedEntryCount).to.equal(0);
    ids.push(...(headroom.Entries ?? []).map((e) => e.EventId as string));
    const err = await client.send(new PutEventsCommand({ Entries: [entry] })).then(
      () => undefined,
      (e: Error) => e,
    );
    client.destroy();
    expect(err?.name).to.equal("ThrottlingException");

    release();
    for (const id of ids) expect((await waitFor(server.url, id)).status).to.equal("done");
    expect((await postEvent(server.url, "notification-sent", detail)).status).to.equal(202);
  });
});

describe("local stack: more deliveries than the in-memory queue holds", function () {
  const invocations = new Map<string, number>();
  const table: RouteRow[] = [
    row(
      "counted-slowly",
      NotificationSent,
      "notification-sent",
      async (event) => {
        invocations.set(event.id, (invocations.get(event.id) ?? 0) + 1);
        await sleep(2);
        return { ok: true };
      },
      { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
    ),
  ];
  let server: Running;
  withStack((s) => (server = s), { routes: table, concurrency: 2, readyQueueCap: 3 });

  it("reads the overflow back from SQLite and delivers every event exactly once", async () => {
    const detail = fixture("notification-sent").detail;
    const ids = await Promise.all(
      Array.from({ length: 40 }, () => accept(server.url, "notification-sent", detail)),
    );

    for (const id of ids) expect((await waitFor(server.url, id)).status, id).to.equal("done");
    await sleep(50);

    expect(ids.map((id) => invocations.get(id))).to.deep.equal(ids.map(() => 1));
    expect(invocations.size).to.equal(40);
  });
});
