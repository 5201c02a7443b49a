/**
 * EventBridge's JSON API on the local stack, driven by the real clients: `@aws-sdk/client-eventbridge` and the
 * `aws` CLI with `--endpoint-url`, unchanged.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  TestEventPatternCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fixture, request, route, waitFor, withStackAndClient, type Running } from "../helpers";

const exec = promisify(execFile);

describe("local stack: EventBridge API", function () {
  let server: Running;
  let client: EventBridgeClient;
  withStackAndClient((s, c) => ([server, client] = [s, c]));

  const ticket = fixture("support-ticket.seed").detail;
  const event = {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "support-ticket",
    source: "backbone.api",
    account: "111122223333",
    time: "2025-01-06T09:30:00Z",
    region: "ap-southeast-2",
    resources: [],
    detail: ticket,
  };

  /** A valid support-ticket PutEvents entry for the backbone bus; each case overrides only what it is about. */
  const ticketEntry = (extra: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    Source: "backbone.crm",
    DetailType: "support-ticket",
    Detail: JSON.stringify(ticket),
    EventBusName: "backbone",
    ...extra,
  });

  describe("PutEvents with @aws-sdk/client-eventbridge", () => {
    it("accepts entries, reports per-entry failures with FailedEntryCount, and delivers the accepted ones", async () => {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            ticketEntry(),
            ticketEntry({ Detail: "{not json" }),
            ticketEntry({ Detail: "[1, 2]" }),
            ticketEntry({ Detail: "{}", EventBusName: "nope" }),
            ticketEntry({ DetailType: undefined, Detail: "{}" }),
            // Sources starting aws. are AWS's own services' (AWS refuses them to a caller).
            ticketEntry({ Source: "aws.s3" }),
          ],
        }),
      );

      expect(out.FailedEntryCount).to.equal(5);
      expect(out.Entries).to.have.length(6);
      expect(out.Entries?.[0].EventId).to.be.a("string");
      expect(out.Entries?.slice(1).map((e) => e.ErrorCode)).to.deep.equal([
        "MalformedDetail",
        "MalformedDetail",
        "InvalidArgument",
        "InvalidArgument",
        "NotAuthorizedForSourceException",
      ]);
      expect(out.Entries?.[5].ErrorMessage).to.equal("Not authorized for the source.");
      expect(out.Entries?.[3].ErrorMessage).to.match(/EventBusName .*nope does not exist/);
      expect(out.Entries?.[4].ErrorMessage).to.match(/DetailType/);
      const view = await waitFor(server.url, out.Entries?.[0].EventId as string);
      expect(view.event).to.deep.include({ source: "backbone.crm", "detail-type": "support-ticket" });
      expect(route(view, "support-escalation").status).to.equal("done");
    });

    it("rejects a detail its processor's schema refuses (PutEvents skips the API): done, not dead-lettered", async () => {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: "backbone.analytics-feed",
              DetailType: "analytics-event",
              Detail: "{}",
              EventBusName: "backbone",
            },
          ],
        }),
      );
      expect(out.FailedEntryCount).to.equal(0);
      const view = await waitFor(server.url, out.Entries?.[0].EventId as string);
      expect(view.status).to.equal("done");
      const outcome = route(view, "analytics-event");
      expect(outcome.status).to.equal("done");
      expect(outcome.attempts).to.equal(1);
      expect(outcome.result).to.deep.equal({
        rejected: true,
        reason: "detail must have required property 'eventType'",
      });
    });

    it("routes an entry whose EventBusName is the bus ARN like one naming the bus", async () => {
      const arn = "arn:aws:events:ap-southeast-2:000000000000:event-bus/backbone";
      const out = await client.send(new PutEventsCommand({ Entries: [ticketEntry({ EventBusName: arn })] }));

      expect(out.FailedEntryCount, JSON.stringify(out.Entries)).to.equal(0);
      const view = await waitFor(server.url, out.Entries?.[0].EventId as string);
      expect(view.status).to.equal("done");
      expect(view.routes.map((r) => r.routeKey).sort()).to.deep.equal([
        "support-escalation",
        "support-ticket",
      ]);
    });

    it("keeps an entry put on the default bus (no EventBusName) but routes it nowhere, as AWS does", async () => {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [ticketEntry({ EventBusName: undefined }), ticketEntry({ EventBusName: "default" })],
        }),
      );

      expect(out.FailedEntryCount).to.equal(0);
      for (const e of out.Entries ?? []) {
        const view = await waitFor(server.url, e.EventId as string);
        expect(view.status).to.equal("unrouted");
        expect(view.routes).to.deep.equal([]);
      }
    });

    it("reads a member sent as JSON null as absent (EventBusName, Time, Resources), as AWS's JSON protocol does", async () => {
      // Sent raw: the SDKs leave such members out. A hand-written or other-language client may send null.
      const entry = { ...ticketEntry(), EventBusName: null, Time: null, Resources: null };
      const reply = await request(`${server.url}/`, {
        body: JSON.stringify({ Entries: [entry] }),
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutEvents" },
      });

      expect(reply.status, reply.text).to.equal(200);
      expect(reply.body, reply.text).to.deep.include({ FailedEntryCount: 0 });
      const id = (reply.body.Entries as { EventId: string }[])[0].EventId;
      const view = await waitFor(server.url, id);
      expect(view.status).to.equal("unrouted"); // no EventBusName: the default bus, as when it is left out
      expect(view.event.resources).to.deep.equal([]);
    });

    it("refuses a TraceHeader outside AWS's 1-500 characters for the whole request, and takes one of 500", async () => {
      const put = (TraceHeader: string) =>
        client.send(new PutEventsCommand({ Entries: [ticketEntry(), ticketEntry({ TraceHeader })] }));

      const long = await put("x".repeat(501)).then(
        () => undefined,
        (e: Error) => e,
      );
      const empty = await put("").then(
        () => undefined,
        (e: Error) => e,
      );
      const ok = await put("x".repeat(500));

      expect(long?.name).to.equal("ValidationException");
      expect(long?.message).to.match(/at 'entries\.2\.member\.traceHeader' .*less than or equal to 500/);
      expect(empty?.name).to.equal("ValidationException");
      expect(ok.FailedEntryCount).to.equal(0);
    });

    it("keeps the entry's Time and Resources in the envelope", async () => {
      const time = new Date("2025-02-03T04:05:06Z");
      const out = await client.send(
        new PutEventsCommand({
          Entries: [ticketEntry({ Time: time, Resources: ["arn:aws:crm:ticket/1"] })],
        }),
      );
      const view = await waitFor(server.url, out.Entries?.[0].EventId as string);
      expect(view.event).to.deep.include({
        time: "2025-02-03T04:05:06Z",
        resources: ["arn:aws:crm:ticket/1"],
      });
    });

    const requestErrors: { name: string; entries: number; detailBytes: number; error: string }[] = [
      { name: "more than 10 entries", entries: 11, detailBytes: 2, error: "ValidationException" },
      {
        name: "entries over EventBridge's 1 MB in total",
        entries: 2,
        detailBytes: 520 * 1024,
        error: "ValidationException",
      },
    ];
    for (const c of requestErrors) {
      it(`rejects the whole request with ${c.error}: ${c.name}`, async () => {
        const detail = JSON.stringify({ pad: "x".repeat(Math.max(0, c.detailBytes - 10)) });
        const entries = Array.from({ length: c.entries }, () => ({
          Source: "a.b",
          DetailType: "t",
          Detail: detail,
        }));
        const err = await client.send(new PutEventsCommand({ Entries: entries })).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.name).to.equal(c.error);
      });
    }
  });

  describe("TestEventPattern with @aws-sdk/client-eventbridge", () => {
    const cases: { name: string; pattern: unknown; result: boolean }[] = [
      {
        name: "a matching content filter",
        pattern: { detail: { priority: ["high", "urgent"] } },
        result: true,
      },
      { name: "a non-matching content filter", pattern: { detail: { priority: ["low"] } }, result: false },
      { name: "a prefix on source", pattern: { source: [{ prefix: "backbone." }] }, result: true },
    ];
    for (const c of cases) {
      it(`answers Result ${c.result} for ${c.name}`, async () => {
        const out = await client.send(
          new TestEventPatternCommand({
            EventPattern: JSON.stringify(c.pattern),
            Event: JSON.stringify(event),
          }),
        );
        expect(out.Result).to.equal(c.result);
      });
    }

    it("throws InvalidEventPatternException for a pattern AWS rejects", async () => {
      const err = await client
        .send(
          new TestEventPatternCommand({
            EventPattern: '{"source": "not-an-array"}',
            Event: JSON.stringify(event),
          }),
        )
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.name).to.equal("InvalidEventPatternException");
      expect(err?.message).to.match(/Event pattern is not valid/);
    });

    it("throws ValidationException for an event without the mandatory fields", async () => {
      const { id: _id, ...noId } = event;
      const err = await client
        .send(new TestEventPatternCommand({ EventPattern: '{"source": ["x"]}', Event: JSON.stringify(noId) }))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.name).to.equal("ValidationException");
      expect(err?.message).to.match(/\bid\b/);
    });
  });

  it("answers an unknown action with an AWS-style UnknownOperationException", async () => {
    const reply = await request(`${server.url}/`, {
      body: "{}",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.DeleteEverything" },
    });
    expect(reply.status).to.equal(400);
    expect(reply.body.__type).to.equal("UnknownOperationException");
  });

  it("answers malformed JSON with an AWS-style SerializationException, not a 5xx", async () => {
    const reply = await request(`${server.url}/`, {
      body: "{oops",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutEvents" },
    });
    expect(reply.status).to.equal(400);
    expect(reply.body.__type).to.equal("SerializationException");
  });

  describe("the aws CLI with --endpoint-url", () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      // aws CLI v2 pipes output through a pager unless told not to.
      AWS_PAGER: "",
    };

    it("puts an event with `aws events put-events` and the event is processed", async () => {
      const entries = [
        {
          Source: "backbone.cli",
          DetailType: "support-ticket",
          Detail: JSON.stringify(ticket),
          EventBusName: "backbone",
        },
      ];
      const { stdout } = await exec(
        "aws",
        [
          "events",
          "put-events",
          "--endpoint-url",
          server.url,
          "--entries",
          JSON.stringify(entries),
          "--output",
          "json",
        ],
        { env },
      );
      const out = JSON.parse(stdout) as { FailedEntryCount: number; Entries: { EventId: string }[] };
      expect(out.FailedEntryCount).to.equal(0);
      const view = await waitFor(server.url, out.Entries[0].EventId);
      expect(view.status).to.equal("done");
      expect(view.event).to.deep.include({ source: "backbone.cli" });
    });

    it("tests a pattern with `aws events test-event-pattern`", async () => {
      const { stdout } = await exec(
        "aws",
        [
          "events",
          "test-event-pattern",
          "--endpoint-url",
          server.url,
          "--event-pattern",
          JSON.stringify({ "detail-type": ["support-ticket"] }),
          "--event",
          JSON.stringify(event),
          "--output",
          "json",
        ],
        { env },
      );
      expect(JSON.parse(stdout)).to.deep.equal({ Result: true });
    });
  });
});
