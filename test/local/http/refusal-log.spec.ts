/**
 * What the server logs: each refused request (4xx) once, at info, with the reason the client was given, and each
 * event no route receives once, with why; a request that succeeds logs nothing (a line per request would cost
 * ingest speed: BENCHMARKS.md "Refusal logging").
 */
import { expect } from "chai";
import { connect } from "node:net";
import { capturingLogger, ebClient, fixture, postEvent, request, startLocal, type Running } from "../helpers";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";

describe("local stack: refused requests and unrouted events are logged once, with the reason", function () {
  this.timeout(30_000);
  let server: Running;
  let log: ReturnType<typeof capturingLogger>;
  const refusals = () => log.lines().filter((l) => l.msg === "request refused");
  const unrouted = () => log.lines().filter((l) => l.msg === "event unrouted");

  beforeEach(async () => {
    log = capturingLogger();
    server = await startLocal({ logger: log.logger });
  });
  afterEach(() => server.stop());

  it("logs nothing for an accepted event", async () => {
    const order = fixture("order-created.seed");
    expect((await postEvent(server.url, order["detail-type"], order.detail)).status).to.equal(202);
    expect(refusals()).to.deep.equal([]);
    expect(unrouted()).to.deep.equal([]);
  });

  const cases: {
    title: string;
    send: (url: string) => Promise<number>;
    status: number;
    error: string;
    reason: RegExp;
  }[] = [
    {
      title: "an unknown detail-type (400)",
      send: async (url) => (await postEvent(url, "no-such-type", {})).status,
      status: 400,
      error: "BadRequestBody",
      reason: /no-such-type/,
    },
    {
      title: "a detail that breaks its schema (400)",
      send: async (url) => (await postEvent(url, "order-created", { orderId: "O-1" })).status,
      status: 400,
      error: "BadRequestBody",
      reason: /customerId|amount|items/,
    },
    {
      title: "an unknown path (404)",
      send: async (url) => (await request(`${url}/nowhere`)).status,
      status: 404,
      error: "NotFound",
      reason: /\/nowhere/,
    },
    {
      title: "another media type (415)",
      send: async (url) =>
        (
          await fetch(`${url}/events`, {
            method: "POST",
            headers: { "content-type": "text/plain" },
            body: "x",
          })
        ).status,
      status: 415,
      error: "UnsupportedMediaType",
      reason: /application\/json/,
    },
    {
      title: "an unknown EventBridge operation (400, AWS-style)",
      send: async (url) =>
        (
          await fetch(url, {
            method: "POST",
            headers: {
              "content-type": "application/x-amz-json-1.1",
              "x-amz-target": "AWSEvents.NoSuchThing",
            },
            body: "{}",
          })
        ).status,
      status: 400,
      error: "UnknownOperationException",
      reason: /NoSuchThing/,
    },
  ];
  for (const c of cases) {
    it(`logs ${c.title} once, at info, with the reason`, async () => {
      expect(await c.send(server.url)).to.equal(c.status);
      const lines = refusals();
      expect(lines, JSON.stringify(log.lines())).to.have.length(1);
      expect(lines[0]).to.include({ level: 30, status: c.status });
      expect(lines[0].error).to.equal(c.error);
      expect(lines[0].reason).to.match(c.reason);
    });
  }

  it("logs a request Node's parser refuses (before any route) once, with the reason", async () => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    const answer = await new Promise<string>((resolve) => {
      let seen = "";
      socket.on("data", (d: Buffer) => (seen += d.toString()));
      socket.on("close", () => resolve(seen));
      socket.on("error", () => resolve(seen));
      socket.write("GARBAGE / HTTP/1.1\r\n\r\n");
    });
    expect(answer).to.match(/^HTTP\/1\.1 400/);
    const lines = refusals();
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 30, status: 400, error: "BadRequestBody" });
    expect(lines[0].reason).to.match(/malformed HTTP request/);
  });

  const unroutedCases: { title: string; entry: Record<string, string>; reason: RegExp }[] = [
    {
      title: "an event put on the default bus, saying no route reads it",
      entry: {
        Source: "test.producer",
        DetailType: "analytics-event",
        Detail: '{"eventType":"x","userId":"U"}',
      },
      reason: /default bus/,
    },
    {
      title: "an event no rule matches, naming its detail-type",
      entry: {
        Source: "test.producer",
        DetailType: "nobody-listens",
        Detail: "{}",
        EventBusName: "event-backbone-local",
      },
      reason: /no route's pattern matches it \(detail-type "nobody-listens"\)/,
    },
  ];
  for (const c of unroutedCases) {
    it(`logs ${c.title}, once at info`, async () => {
      const client = ebClient(server.url);
      try {
        const out = await client.send(new PutEventsCommand({ Entries: [c.entry] }));

        expect(out.FailedEntryCount).to.equal(0);
        const lines = unrouted();
        expect(lines).to.have.length(1);
        expect(lines[0]).to.include({
          level: 30,
          eventId: out.Entries![0].EventId,
          detailType: c.entry.DetailType,
        });
        expect(lines[0].reason).to.match(c.reason);
        expect(refusals()).to.deep.equal([]);
      } finally {
        client.destroy();
      }
    });
  }
});
