/**
 * The causal tree of an event (`GET /local/events/:id`): its correlation id (from `x-correlation-id`,
 * `traceparent`, a PutEvents `TraceHeader`, or its own id), inherited by its follow-ups, which record their
 * cause; each route's attempt history; the follow-ups with their own deliveries; replays of it.
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import { Type } from "@sinclair/typebox";
import type { RouteRow } from "../../../infra/table";
import { defineProcessor } from "../../../processors/runtime";
import { treeView, type ViewReads } from "../../../local/http";
import type { EventRow } from "../../../local/store";
import { ebClient, fixture, request, until, waitFor, withStack, type Running } from "../helpers";

interface Node {
  eventId: string;
  status: string;
  correlationId: string;
  cause?: { eventId: string; routeKey: string };
  event: Record<string, unknown>;
  routes: {
    routeKey: string;
    status: string;
    history: { attempt: number; startedAt: string; endedAt: string; outcome: string; error?: string }[];
  }[];
  followUps: Node[];
  replays: Node[];
}

async function tree(url: string, id: string): Promise<Node> {
  const reply = await request(`${url}/local/events/${id}`);
  expect(reply.status, reply.text).to.equal(200);
  return reply.body as unknown as Node;
}

async function post(url: string, headers: Record<string, string> = {}, orderId = "ORD-T"): Promise<string> {
  const detail = { ...fixture("order-created.seed").detail, orderId };
  const reply = await request(`${url}/events`, { body: { "detail-type": "order-created", detail }, headers });
  expect(reply.status, reply.text).to.equal(202);
  return reply.body.eventId as string;
}

/** Waits until the order's follow-up (its notification) is delivered; returns the order's tree. */
async function settledTree(url: string, id: string): Promise<Node> {
  let t: Node | undefined;
  const ok = await until(async () => {
    t = await tree(url, id);
    return t.status === "done" && t.followUps.length === 1 && t.followUps[0].status === "done";
  });
  if (!ok) throw new Error(`tree did not settle: ${JSON.stringify(t)}`);
  return t as Node;
}

// The follow-up's cause travels with its PutEvents: in process, or over a loopback socket with the real SDK
// client (whose headers must carry the emit key for the cause to be accepted).
const TREE_CASES = [
  { name: "isolated workers", options: { isolation: "workers" } },
  { name: "unisolated", options: { isolation: "none" } },
  { name: "isolated workers, emits over HTTP", options: { isolation: "workers", emitTransport: "http" } },
] as const;

for (const { name, options } of TREE_CASES) {
  describe(`local stack: an event's causal tree (processors: ${name})`, function () {
    let server: Running;
    withStack((s) => (server = s), options);

    it("gives the x-correlation-id to the event and its follow-up, which records its cause", async () => {
      const id = await post(server.url, { "x-correlation-id": "checkout-42" });

      const t = await settledTree(server.url, id);

      expect(t.correlationId).to.equal("checkout-42");
      expect(t.routes.map((r) => [r.routeKey, r.status])).to.deep.equal([["order-created", "done"]]);
      const [notification] = t.followUps;
      expect(notification.correlationId).to.equal("checkout-42");
      expect(notification.cause).to.deep.equal({ eventId: id, routeKey: "order-created" });
      expect(notification.event).to.deep.include({
        "detail-type": "notification-sent",
        source: "backbone.order",
      });
      expect(notification.routes.map((r) => [r.routeKey, r.status])).to.deep.equal([
        ["notification-sent", "done"],
      ]);
      expect(notification.routes[0].history.map((h) => h.outcome)).to.deep.equal(["done"]);
    });

    it("takes the trace id of a traceparent as correlation id", async () => {
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      const id = await post(server.url, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, "ORD-TP");
      const t = await settledTree(server.url, id);
      expect(t.correlationId).to.equal(traceId);
      expect(t.followUps[0].correlationId).to.equal(traceId);
    });

    it("uses the event's own id (32 hex digits) when no header gives one, and ignores an invalid traceparent", async () => {
      const id = await post(server.url, { traceparent: "00-not-a-trace" }, "ORD-OWN");
      const t = await settledTree(server.url, id);
      expect(t.correlationId).to.equal(id.replace(/-/g, ""));
      expect(t.followUps[0].correlationId).to.equal(t.correlationId);
    });
  });
}

describe("local stack: correlation ids and attempt history", function () {
  let server: Running;
  const attempts = new Map<string, number>();
  const Job = Type.Object({ job: Type.String(), failures: Type.Number() });
  const table: RouteRow[] = [
    {
      key: "flaky-job",
      description: "fails `failures` times, then succeeds",
      pattern: { "detail-type": ["job"] },
      processor: defineProcessor({
        name: "flaky-job",
        detailType: "job",
        schema: Job,
        handle: (event) => {
          const n = (attempts.get(event.detail.job) ?? 0) + 1;
          attempts.set(event.detail.job, n);
          if (n <= event.detail.failures) throw new Error(`failure ${n}`);
          return { job: event.detail.job, attempt: n };
        },
      }),
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60 },
    },
  ];
  // Known here, as it is to another process serving this one's emits (`emitKey`); random per start otherwise.
  const EMIT_KEY = "a-key-both-processes-share";
  withStack((s) => (server = s), { routes: table, emitKey: EMIT_KEY });

  const job = async (name: string, failures: number) => {
    const reply = await request(`${server.url}/events`, {
      body: { "detail-type": "job", detail: { job: name, failures } },
    });
    return waitFor(server.url, reply.body.eventId as string);
  };

  it("keeps every attempt: the failed ones with their error, then the one that succeeded", async () => {
    const view = await job("twice", 2);
    const t = await tree(server.url, view.eventId);
    const history = t.routes[0].history;
    expect(history.map((h) => [h.attempt, h.outcome, h.error])).to.deep.equal([
      [1, "failed", "Error: failure 1"],
      [2, "failed", "Error: failure 2"],
      [3, "done", undefined],
    ]);
    for (const h of history) expect(Date.parse(h.endedAt)).to.be.at.least(Date.parse(h.startedAt));
  });

  it("ends the history of a dead-lettered delivery with that attempt", async () => {
    const view = await job("never", 9);
    const t = await tree(server.url, view.eventId);
    expect(t.routes[0].history.map((h) => h.outcome)).to.deep.equal(["failed", "failed", "dead-lettered"]);
  });

  it("refuses an x-correlation-id that is not 1 to 128 visible ASCII characters with 400", async () => {
    for (const bad of ["", "x".repeat(129), "two words"]) {
      const reply = await request(`${server.url}/events`, {
        body: { "detail-type": "job", detail: { job: "x", failures: 0 } },
        headers: { "x-correlation-id": bad },
      });
      expect(reply.status, JSON.stringify(bad)).to.equal(400);
      expect(reply.body.message).to.match(/x-correlation-id/);
    }
  });

  it("takes a PutEvents entry's X-Ray TraceHeader root as correlation id", async () => {
    const client = ebClient(server.url);
    try {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: "backbone.tests",
              DetailType: "job",
              Detail: JSON.stringify({ job: "traced", failures: 0 }),
              EventBusName: "event-backbone-local",
              TraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            },
          ],
        }),
      );
      const t = await tree(server.url, out.Entries?.[0].EventId as string);
      expect(t.correlationId).to.equal("5759e988bd862e3fe1be46a994272793");
    } finally {
      client.destroy();
    }
  });

  /** A raw PutEvents of one `job` entry naming `causeEventId`'s flaky-job delivery as its cause, with `headers`. */
  const putNamingCause = (causeEventId: string, job: string, headers: Record<string, string>) =>
    request(server.url + "/", {
      body: {
        Entries: [
          { Source: "backbone.tests", DetailType: "job", Detail: JSON.stringify({ job, failures: 0 }) },
        ],
      },
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.PutEvents",
        "x-backbone-cause": `${causeEventId} flaky-job`,
        ...headers,
      },
    });

  // The cause decides what a replay re-sends (follow-ups are not archived originals) and what the tree shows:
  // a client that could set it could hide its events from replays or graft them onto another event's tree.
  const causeCases: { name: string; headers: Record<string, string> }[] = [
    { name: "without an emit key", headers: {} },
    { name: "with a wrong emit key", headers: { "x-backbone-emit-key": "guessed" } },
  ];
  for (const c of causeCases) {
    it(`refuses a PutEvents from a client that claims a cause (x-backbone-cause) ${c.name}, storing nothing`, async () => {
      const origin = await job(`cause-origin-${c.name}`, 0);
      const before = await request(`${server.url}/local/events?limit=1000`);

      const reply = await putNamingCause(origin.eventId, "forged", c.headers);

      expect(reply.status, reply.text).to.equal(400);
      expect(reply.body.__type).to.equal("AccessDeniedException");
      expect(reply.body.message).to.match(/x-backbone-cause.*x-backbone-emit-key/);
      const after = await request(`${server.url}/local/events?limit=1000`);
      expect(after.body.events).to.deep.equal(before.body.events);
      expect((await tree(server.url, origin.eventId)).followUps).to.deep.equal([]);
    });
  }

  it("records the cause a PutEvents names with this server's emit key (what another process sends it)", async () => {
    const origin = await job("cause-origin-keyed", 0);

    const reply = await putNamingCause(origin.eventId, "keyed", { "x-backbone-emit-key": EMIT_KEY });

    expect(reply.status, reply.text).to.equal(200);
    const followUps = (await tree(server.url, origin.eventId)).followUps;
    expect(followUps.map((f) => [f.eventId, f.cause])).to.deep.equal([
      [
        (reply.body.Entries as { EventId: string }[])[0].EventId,
        { eventId: origin.eventId, routeKey: "flaky-job" },
      ],
    ]);
  });

  it("lists the replays of an event in its tree", async () => {
    const from = Date.now();
    const view = await job("replayed", 0);
    await request(`${server.url}/local/replay`, { body: { from, to: Date.now(), name: "tree-replay" } });
    await until(
      async () => (await request(`${server.url}/local/replays/tree-replay`)).body.state === "COMPLETED",
    );
    const t = await tree(server.url, view.eventId);
    expect(t.replays).to.have.length(1);
    expect(t.replays[0].event["replay-name"]).to.equal("tree-replay");
    expect(t.replays[0].correlationId).to.equal(t.correlationId);
  });
});

describe("local stack: a causal tree's bounds", () => {
  const row = (id: string, bytes: number): EventRow => ({
    seq: 1,
    routes: null,
    id,
    detail_type: "t",
    source: "s",
    accepted_at: 0,
    envelope: JSON.stringify({ detail: { pad: "x".repeat(bytes) } }),
    replay_of: null,
    replay_name: null,
    correlation_id: null,
    cause_event: null,
    cause_route: null,
  });
  /** Every event has five follow-ups of `bytes` each. */
  const reads = (bytes: number): ViewReads => ({
    deliveriesOf: () => [],
    failedAttempts: () => [],
    followUps: (id, limit) => Array.from({ length: Math.min(5, limit) }, (_, n) => row(`${id}.${n}`, bytes)),
    replaysOf: () => [],
  });
  const idle = { isInFlight: () => false };
  const count = (n: { followUps: { followUps: unknown[] }[] }): number =>
    1 + n.followUps.reduce((sum, c) => sum + count(c as never), 0);

  it("stops at maxEvents events and says it was truncated", () => {
    const t = treeView(row("root", 10), reads(10), idle, 12, 1 << 20);
    expect(count(t)).to.equal(12);
    expect(t.truncated).to.equal(true);
  });

  it("stops at maxBytes of events past the root", () => {
    const t = treeView(row("root", 10), reads(300_000), idle, 200, 1 << 20);
    expect(t.followUps).to.have.length(3);
    expect(t.truncated).to.equal(true);
  });
});
