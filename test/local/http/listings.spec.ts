/**
 * The paged ops listings: `GET /local/events` and `GET /local/dlq` page with a cursor and stop at a byte cap,
 * with filters (`detail-type`, `source`, `route`) applied in SQL; `GET /local/routes` shows each route's names,
 * ARNs, pattern and counts; `GET /local/metrics` speaks Prometheus's text format.
 */
import { Type } from "@sinclair/typebox";
import { expect } from "chai";
import { API_SOURCE, type RouteRow } from "../../../infra/table";
import { defineProcessor } from "../../../processors/runtime";
import { DEFAULTS } from "../../../local/options";
import { request, startLocal, waitFor, type Running } from "../helpers";

const Blob = Type.Object({ n: Type.Number(), pad: Type.String(), fail: Type.Boolean() });

function route(key: string, detailType: string): RouteRow {
  return {
    key,
    description: `test route ${key}`,
    pattern: { "detail-type": [detailType] },
    processor: defineProcessor({
      name: key,
      detailType,
      schema: Blob,
      handle: (event) => {
        if (event.detail.fail) throw new Error(`${key} refuses ${event.detail.n}`);
        return { n: event.detail.n };
      },
    }),
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
  };
}

interface Page {
  events: { eventId: string; event: { detail: { n: number } }; routes: { routeKey: string }[] }[];
  nextCursor: string | null;
}

describe("local stack: paged listings, routes and metrics", function () {
  let server: Running;
  const ids: string[] = [];
  before(async () => {
    server = await startLocal({ routes: [route("blobs", "blob"), route("other", "other")] });
    const post = async (detailType: string, n: number, pad = 0, fail = false) => {
      const reply = await request(`${server.url}/events`, {
        body: { "detail-type": detailType, detail: { n, pad: "x".repeat(pad), fail } },
      });
      return reply.body.eventId as string;
    };
    for (let n = 0; n < 5; n++) ids.push(await post("blob", n));
    ids.push(await post("other", 5));
    // Six events of 200 KB, two of which dead-letter.
    for (let n = 6; n < 12; n++) ids.push(await post("blob", n, 200 * 1024, n >= 10));
    for (const id of ids) await waitFor(server.url, id);
  });
  after(async () => {
    await server?.stop();
  });

  const page = async (query: string): Promise<Page> => {
    const reply = await request(`${server.url}/local/events?${query}`);
    expect(reply.status, reply.text).to.equal(200);
    return reply.body as unknown as Page;
  };

  it("pages newest first with a cursor until nextCursor is null", async () => {
    const seen: number[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const p: Page = await page(`route=blobs&limit=2&cursor=${cursor}`);
      seen.push(...p.events.map((e) => e.event.detail.n));
      cursor = p.nextCursor;
      pages += 1;
    }
    expect(seen).to.deep.equal([11, 10, 9, 8, 7, 6, 4, 3, 2, 1, 0]);
    expect(pages).to.be.at.least(6);
  });

  it(`stops a page at ${DEFAULTS.listMaxBytes} bytes of events, however many were asked for`, async () => {
    const reply = await request(`${server.url}/local/events?limit=1000`);
    const p = reply.body as unknown as Page;
    // Five 200 KB events fit under 1 MB; the sixth would not.
    expect(p.events.map((e) => e.event.detail.n)).to.deep.equal([11, 10, 9, 8, 7]);
    expect(p.nextCursor).to.be.a("string");
    expect(Buffer.byteLength(reply.text)).to.be.below(DEFAULTS.listMaxBytes + 64 * 1024);
    const rest = await page(`limit=1000&cursor=${p.nextCursor}`);
    expect(rest.events.map((e) => e.event.detail.n)).to.deep.equal([6, 5, 4, 3, 2, 1, 0]);
    expect(rest.nextCursor).to.equal(null);
  });

  const filters: { query: string; ns: number[] }[] = [
    { query: "detail-type=other", ns: [5] },
    { query: "route=other", ns: [5] },
    { query: `source=${encodeURIComponent(API_SOURCE)}&detail-type=blob&limit=3`, ns: [11, 10, 9] },
    { query: "source=backbone.nobody", ns: [] },
  ];
  for (const f of filters) {
    it(`filters by ${f.query}`, async () => {
      const p = await page(f.query);
      expect(p.events.map((e) => e.event.detail.n)).to.deep.equal(f.ns);
    });
  }

  it("answers 400 for an unknown route filter or a cursor it never gave", async () => {
    for (const query of ["route=nope", "cursor=abc", "cursor=-1"]) {
      const reply = await request(`${server.url}/local/events?${query}`);
      expect(reply.status, query).to.equal(400);
    }
  });

  it("pages the DLQ with a cursor, filtered by route", async () => {
    const first = await request(`${server.url}/local/dlq?limit=1&route=blobs`);
    expect(first.body.count).to.equal(2);
    const entries = first.body.entries as { eventId: string; routeKey: string; error: string }[];
    expect(entries.map((e) => e.eventId)).to.deep.equal([ids[10]]);
    const second = await request(
      `${server.url}/local/dlq?limit=1&route=blobs&cursor=${first.body.nextCursor}`,
    );
    expect((second.body.entries as { eventId: string }[]).map((e) => e.eventId)).to.deep.equal([ids[11]]);
    expect(second.body.nextCursor).to.equal(null);
    const other = await request(`${server.url}/local/dlq?route=other`);
    expect(other.body).to.deep.include({ count: 0, entries: [], nextCursor: null });
  });

  for (const bad of ["0", "abc", "1001", "2.5", "-1"]) {
    it(`refuses limit=${bad} with 400 naming the range, rather than changing it`, async () => {
      for (const path of ["/local/events", "/local/dlq", "/local/replays"]) {
        const reply = await request(`${server.url}${path}?limit=${bad}`);
        expect(reply.status, path).to.equal(400);
        expect(reply.body.message, path).to.equal(
          `query limit must be a whole number from 1 to 1000; got ${JSON.stringify(bad)}`,
        );
      }
    });
  }

  it("redrives the dead letters of one route only", async () => {
    const none = await request(`${server.url}/local/dlq/redrive`, { body: { route: "other" } });
    expect(none.body.redriven).to.equal(0);
    const some = await request(`${server.url}/local/dlq/redrive`, { body: { route: "blobs" } });
    expect((some.body.entries as { eventId: string }[]).map((e) => e.eventId)).to.deep.equal([
      ids[10],
      ids[11],
    ]);
    // They fail again (the processor still refuses them) and are dead-lettered anew.
    for (const id of [ids[10], ids[11]]) await waitFor(server.url, id, (v) => v.status === "dead-lettered");
    const bad = await request(`${server.url}/local/dlq/redrive`, { body: { route: "nope" } });
    expect(bad.status).to.equal(400);
  });

  it("redrives, of the ids given with a route, only that route's dead letters", async () => {
    const blobs = (await request(`${server.url}/local/dlq?route=blobs`)).body.entries as { id: number }[];
    expect(blobs.length, "the blobs route has dead letters").to.be.above(0);

    const reply = await request(`${server.url}/local/dlq/redrive`, {
      body: { route: "other", ids: blobs.map((e) => e.id) },
    });

    expect(reply.body).to.deep.include({ redriven: 0, entries: [] });
    expect((await request(`${server.url}/local/dlq?route=blobs`)).body.count).to.equal(blobs.length);
  });

  it("refuses a redrive with a key it does not read (a misspelt route must not redrive everything)", async () => {
    const open = (await request(`${server.url}/local/dlq`)).body.count;

    const typo = await request(`${server.url}/local/dlq/redrive`, { body: { rout: "blobs" } });

    expect(typo.status).to.equal(400);
    expect(typo.body.message).to.equal("body.rout is not allowed; the body takes ids, route");
    expect((await request(`${server.url}/local/dlq`)).body.count).to.equal(open);
  });

  it("answers a redrive of more than 1,000 dead letters with the count, the first 1,000 and how many it left out", async () => {
    const db = server.local.store.db;
    const insert = db.prepare(
      `INSERT INTO dlq (event_id, route_key, error, attempts, first_attempt_at, last_attempt_at, dead_at)
       VALUES (?, 'other', 'Error: test', 1, 0, 0, 0)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 1001; i++) insert.run(`no-such-event-${i}`);
    })();

    const reply = await request(`${server.url}/local/dlq/redrive`, { body: { route: "other" } });

    expect(reply.body).to.deep.include({ redriven: 1001, entriesOmitted: 1 });
    expect(reply.body.entries).to.have.length(1000);
  });

  it("shows each route with its rule, target and DLQ names and ARNs, pattern and counts", async () => {
    const reply = await request(`${server.url}/local/routes`);
    expect(reply.body).to.deep.include({
      eventBusName: "event-backbone-local",
      eventBusArn: "arn:aws:events:ap-southeast-2:000000000000:event-bus/event-backbone-local",
    });
    const blobs = (reply.body.routes as Record<string, unknown>[]).find((r) => r.routeKey === "blobs");
    expect(blobs).to.deep.include({
      ruleName: "event-backbone-local-blobs",
      ruleArn:
        "arn:aws:events:ap-southeast-2:000000000000:rule/event-backbone-local/event-backbone-local-blobs",
      eventPattern: { "detail-type": ["blob"] },
      target: {
        id: "blobs",
        arn: "arn:aws:lambda:ap-southeast-2:000000000000:function:event-backbone-local-blobs",
        functionName: "event-backbone-local-blobs",
      },
      dlq: {
        name: "event-backbone-local-blobs-dlq",
        arn: "arn:aws:sqs:ap-southeast-2:000000000000:event-backbone-local-blobs-dlq",
        open: 2,
      },
      counts: { invocations: 13, done: 9, failures: 4, deadLettered: 4 },
    });
  });

  it("exposes the CloudWatch dashboard's metrics per route in Prometheus's text format", async () => {
    const res = await fetch(`${server.url}/local/metrics`);
    expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (line: string) => {
      const found = text.split("\n").find((l) => l.startsWith(line + " "));
      return found === undefined ? undefined : Number(found.slice(line.length + 1));
    };
    const fn = 'route="blobs",function_name="event-backbone-local-blobs"';
    expect(value(`aws_lambda_invocations_total{${fn}}`)).to.equal(13);
    expect(value(`aws_lambda_errors_total{${fn}}`)).to.equal(4);
    expect(value(`aws_lambda_duration_seconds_count{${fn}}`)).to.equal(13);
    const rule = 'route="blobs",event_bus_name="event-backbone-local",rule_name="event-backbone-local-blobs"';
    expect(value(`aws_events_invocations_total{${rule}}`)).to.equal(13);
    expect(value(`aws_events_invocations_sent_to_dlq_total{${rule}}`)).to.equal(4);
    expect(
      value(
        `aws_sqs_approximate_number_of_messages_visible{route="blobs",queue_name="event-backbone-local-blobs-dlq"}`,
      ),
    ).to.equal(2);
    expect(value('backbone_events_accepted_total{entry="api"}')).to.equal(12);
    expect(value("backbone_backlog_deliveries")).to.equal(0);
    // Counters catch up with the outcomes when scraped: a second scrape reports the same totals.
    const again = await (await fetch(`${server.url}/local/metrics`)).text();
    expect(again).to.contain(`aws_lambda_invocations_total{${fn}} 13\n`);
  });
});
