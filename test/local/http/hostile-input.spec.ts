/**
 * Input is never altered and never gets a 5xx, on every endpoint that reads JSON: `POST /events`, PutEvents
 * (its body and each entry's `Detail`) and TestEventPattern. Deep nesting, invalid UTF-8, other charsets,
 * numbers a double cannot hold and prototype keys are refused with the protocol's error, naming what; entries
 * up to EventBridge's 1 MB are accepted, larger ones get 413.
 */
import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import { MAX_ENTRY_BYTES } from "../../../local/eventbridge";
import { accept, fixture, request, waitFor, withStackAndClient, type Running } from "../helpers";

const order = fixture("order-created.seed").detail;
const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
const AMZ = "application/x-amz-json-1.1";
const event = {
  id: "1",
  account: "1",
  source: "backbone.api",
  time: "2025-01-06T09:30:00Z",
  region: "ap-southeast-2",
  resources: [],
  "detail-type": "order-created",
};

interface Case {
  name: string;
  path: "/events" | "/";
  target?: "PutEvents" | "TestEventPattern";
  body: string | Buffer;
  contentType?: string;
  status: number;
  /** `error` (contract) or `__type` (AWS). */
  error: string;
  message: RegExp;
}

/**
 * UTF-8 bytes left for the order's `note` in an order-created entry from `source` of exactly EventBridge's
 * 1 MB: Source and DetailType count too (its entry size).
 */
const roomForNote = (source: string) =>
  MAX_ENTRY_BYTES - Buffer.byteLength(source + "order-created" + JSON.stringify({ ...order, note: "" }));

/** The order detail with `raw` spliced in as the value of `extra` (text, so numbers stay as written). */
const orderWith = (raw: string) =>
  `{"detail-type":"order-created","detail":${JSON.stringify(order).slice(0, -1)},"extra":${raw}}}`;

const cases: Case[] = [
  {
    name: "10,000 levels of nesting on POST /events",
    path: "/events",
    body: orderWith(deep(10_000)),
    status: 400,
    error: "BadRequestBody",
    message: /^body\.detail\.extra\[0\].* is nested deeper than 1000 levels/,
  },
  {
    name: "10,000 levels of nesting in a PutEvents body",
    path: "/",
    target: "PutEvents",
    body: `{"Entries":[],"x":${deep(10_000)}}`,
    status: 400,
    error: "SerializationException",
    message: /nested deeper than 1000 levels/,
  },
  {
    name: "10,000 levels of nesting in TestEventPattern's Event",
    path: "/",
    target: "TestEventPattern",
    body: JSON.stringify({
      EventPattern: '{"detail":{"a":[{"exists":true}]}}',
      Event: JSON.stringify({ ...event, detail: {} }).replace(
        '"detail":{}',
        `"detail":{"a":${deep(10_000)}}`,
      ),
    }),
    status: 400,
    error: "ValidationException",
    message: /^Parameter Event is not valid: Event\.detail\.a\[0\].* is nested deeper than 1000 levels/,
  },
  {
    name: "invalid UTF-8 on POST /events",
    path: "/events",
    body: Buffer.concat([Buffer.from(orderWith('"caf')), Buffer.from([0xe9]), Buffer.from('"')]),
    status: 400,
    error: "BadRequestBody",
    message: /not valid UTF-8/,
  },
  {
    name: "invalid UTF-8 on EventBridge's API",
    path: "/",
    target: "PutEvents",
    body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    status: 400,
    error: "SerializationException",
    message: /not valid UTF-8/,
  },
  {
    name: "charset=latin1 on POST /events",
    path: "/events",
    body: orderWith('"plain"'),
    contentType: "application/json; charset=latin1",
    status: 415,
    error: "UnsupportedMediaType",
    message: /charset=latin1 is not supported/,
  },
  {
    name: "charset=iso-8859-1 on EventBridge's API",
    path: "/",
    target: "PutEvents",
    body: '{"Entries":[]}',
    contentType: `${AMZ}; charset="ISO-8859-1"`,
    status: 415,
    error: "UnsupportedMediaTypeException",
    message: /charset=iso-8859-1 is not supported/,
  },
  {
    name: "another AWS JSON version on EventBridge's API (its protocol is 1.1)",
    path: "/",
    target: "PutEvents",
    body: '{"Entries":[]}',
    contentType: "application/x-amz-json-1.0",
    status: 415,
    error: "UnsupportedMediaTypeException",
    message: /application\/x-amz-json-1\.1 for EventBridge's API/,
  },
  ...[
    ["1e400", "null"],
    ["-0", "0"],
    ["9007199254740993", "9007199254740992"],
    ["12345678901234567890", "12345678901234567000"],
    ["1e-400", "0"],
  ].map(([raw, becomes]): Case => ({
    name: `the number ${raw} on POST /events (a double makes it ${becomes})`,
    path: "/events",
    body: orderWith(raw),
    status: 400,
    error: "BadRequestBody",
    message: new RegExp(`^body\\.detail\\.extra is ${raw}, .* would become ${becomes};`),
  })),
  {
    name: "the number 1e400 in TestEventPattern's Event",
    path: "/",
    target: "TestEventPattern",
    body: JSON.stringify({ EventPattern: '{"source":["x"]}', Event: '{"detail":{"n":1e400}}' }),
    status: 400,
    error: "ValidationException",
    message: /Event\.detail\.n is 1e400/,
  },
  {
    name: "constructor.prototype on POST /events",
    path: "/events",
    body: orderWith('{"constructor":{"prototype":{"admin":true}}}'),
    status: 400,
    error: "BadRequestBody",
    message: /^body\.detail\.extra\.constructor\.prototype is not allowed/,
  },
  {
    name: "a __proto__ key in a PutEvents body",
    path: "/",
    target: "PutEvents",
    body: '{"Entries":[{"__proto__":{"Source":"x"}}]}',
    status: 400,
    error: "SerializationException",
    message: /body\.Entries\[0\]\.__proto__ is not allowed/,
  },
];

describe("local stack: hostile input on every endpoint", function () {
  let server: Running;
  let client: EventBridgeClient;
  withStackAndClient((s, c) => ([server, client] = [s, c]));

  for (const c of cases) {
    it(`answers ${c.status} ${c.error} to ${c.name}`, async () => {
      const json = c.path === "/events" ? "application/json" : AMZ;
      const reply = await request(`${server.url}${c.path}`, {
        method: "POST",
        body: c.body,
        headers: {
          "content-type": c.contentType ?? json,
          ...(c.target ? { "x-amz-target": `AWSEvents.${c.target}` } : {}),
        },
      });

      expect(reply.status, reply.text).to.equal(c.status);
      const error = c.path === "/events" ? reply.body.error : reply.body.__type;
      expect(error, reply.text).to.equal(c.error);
      expect(reply.body.message, reply.text).to.match(c.message);
    });
  }

  const details: [name: string, detail: string, message: RegExp][] = [
    [
      "10,000 levels of nesting",
      `{"a":${deep(10_000)}}`,
      /^Detail is malformed: Detail\.a\[0\].* nested deeper/,
    ],
    ["the number 1e400", '{"amount":1e400}', /^Detail is malformed: Detail\.amount is 1e400/],
    [
      "an integer past 2^53",
      '{"id":9007199254740993}',
      /^Detail is malformed: Detail\.id is 9007199254740993/,
    ],
    [
      "constructor.prototype",
      '{"constructor":{"prototype":{}}}',
      /Detail\.constructor\.prototype is not allowed/,
    ],
  ];
  for (const [name, detail, message] of details) {
    it(`refuses the PutEvents entry whose Detail holds ${name} as MalformedDetail, keeping the others`, async () => {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            { Source: "backbone.crm", DetailType: "order-created", Detail: detail, EventBusName: "backbone" },
            {
              Source: "backbone.crm",
              DetailType: "order-created",
              Detail: JSON.stringify(order),
              EventBusName: "backbone",
            },
          ],
        }),
      );
      expect(out.FailedEntryCount).to.equal(1);
      expect(out.Entries?.[0].ErrorCode).to.equal("MalformedDetail");
      expect(out.Entries?.[0].ErrorMessage).to.match(message);
      expect(out.Entries?.[1].EventId).to.be.a("string");
    });
  }

  it("keeps numbers by value: 1.0 and 1e2 are the numbers 1 and 100, nothing else changes", async () => {
    const id = await accept(server.url, "order-created", { ...order, amount: 99.99 });
    const raw = orderWith('{"a":1.0,"b":1e2,"c":0.1,"big":9007199254740992}');
    const reply = await request(`${server.url}/events`, { method: "POST", body: raw });
    expect(reply.status, reply.text).to.equal(202);

    const view = await waitFor(server.url, reply.body.eventId as string);
    expect(view.event.detail.extra).to.deep.equal({ a: 1, b: 100, c: 0.1, big: 9007199254740992 });
    expect((await waitFor(server.url, id)).event.detail.amount).to.equal(99.99);
  });

  it("accepts an entry of up to 1 MB on POST /events and PutEvents, and refuses one byte more with 413", async () => {
    // EventBridge's limit since 2026-01-29; MAX_ENTRY_BYTES is the one source of the local stack's.
    expect(MAX_ENTRY_BYTES).to.equal(1024 * 1024);
    // The pad fills the entry exactly.
    const fill = (source: string, extra: number) => "x".repeat(roomForNote(source) + extra);

    const atLimit = await request(`${server.url}/events`, {
      body: { "detail-type": "order-created", detail: { ...order, note: fill("backbone.api", 0) } },
    });
    expect(atLimit.status, atLimit.text.slice(0, 200)).to.equal(202);
    const over = await request(`${server.url}/events`, {
      body: { "detail-type": "order-created", detail: { ...order, note: fill("backbone.api", 1) } },
    });
    expect(over.status).to.equal(413);
    expect(over.body).to.deep.include({ error: "PayloadTooLarge" });

    const entry = (extra: number) => ({
      Source: "backbone.crm",
      DetailType: "order-created",
      Detail: JSON.stringify({ ...order, note: fill("backbone.crm", extra) }),
      EventBusName: "backbone",
    });
    const put = await client.send(new PutEventsCommand({ Entries: [entry(0)] }));
    expect(put.FailedEntryCount).to.equal(0);
    const err = await client.send(new PutEventsCommand({ Entries: [entry(1)] })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).to.equal("ValidationException");
  });

  it("accepts a 1 MB entry however a client escapes it: \\u escapes (Python's json, the aws CLI) triple an emoji", async () => {
    // What `json.dumps` (ensure_ascii, the default) and botocore send: every non-ASCII character as \\uXXXX, so a
    // 4-byte emoji is 12 bytes on the wire. EventBridge counts the entry's UTF-8 bytes, not the request's.
    const asciiOnly = (text: string) =>
      text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const emoji = "\u{1F600}";
    const note = (source: string) => emoji.repeat(Math.floor(roomForNote(source) / 4));

    const body = asciiOnly(
      JSON.stringify({ "detail-type": "order-created", detail: { ...order, note: note("backbone.api") } }),
    );
    expect(body.length).to.be.above(3 * 1000 * 1000);
    const posted = await request(`${server.url}/events`, { body });
    expect(posted.status, posted.text.slice(0, 200)).to.equal(202);
    const view = await waitFor(server.url, posted.body.eventId as string);
    expect(view.event.detail.note).to.equal(note("backbone.api"));

    const entry = {
      Source: "backbone.crm",
      DetailType: "order-created",
      Detail: JSON.stringify({ ...order, note: note("backbone.crm") }),
    };
    const put = await request(`${server.url}/`, {
      body: asciiOnly(JSON.stringify({ Entries: [entry] })),
      headers: { "content-type": AMZ, "x-amz-target": "AWSEvents.PutEvents" },
    });
    expect(put.status, put.text.slice(0, 200)).to.equal(200);
    expect(put.body).to.deep.include({ FailedEntryCount: 0 });
  });

  it("still serves after all of the above", async () => {
    const health = await request(`${server.url}/local/health`);
    expect(health.status).to.equal(200);
    expect(({} as Record<string, unknown>).admin).to.equal(undefined);
  });
});
