/**
 * `POST /events` rejects bad input with the contract's 4xx JSON errors, naming the offending key, and keeps
 * serving afterwards. Bad input never gets a 5xx.
 */
import { expect } from "chai";
import { MAX_ENTRY_BYTES } from "../../../local/eventbridge";
import { BODY_LIMIT } from "../../../local/http";
import { seedCurlBodies } from "../../support/seed";
import { fixture, request, withStack, type Running } from "../helpers";

const order = fixture("order-created.seed").detail;
const ticket = fixture("support-ticket.seed").detail;
const json = (v: unknown) => JSON.stringify(v);

interface Case {
  name: string;
  body: string | Buffer | undefined;
  contentType?: string;
  status: number;
  error: string;
  message?: RegExp;
}

const cases: Case[] = [
  {
    name: "malformed JSON",
    body: '{"detail-type": "order-created", "detail": {',
    status: 400,
    error: "BadRequestBody",
    message: /not valid JSON/,
  },
  { name: "an empty body", body: "", status: 400, error: "BadRequestBody" },
  { name: "a JSON array body", body: "[]", status: 400, error: "BadRequestBody", message: /JSON object/ },
  {
    name: "a JSON string body",
    body: '"order-created"',
    status: 400,
    error: "BadRequestBody",
    message: /JSON object/,
  },
  {
    name: "a wrong type (amount as string)",
    body: json({ "detail-type": "order-created", detail: { ...order, amount: "99.99" } }),
    status: 400,
    error: "BadRequestBody",
    message: /^detail\.amount must be number/,
  },
  {
    name: "a missing required key",
    body: json({ "detail-type": "order-created", detail: { ...order, customerId: undefined } }),
    status: 400,
    error: "BadRequestBody",
    message: /^detail\.customerId is required/,
  },
  {
    name: "a value outside an enumeration",
    body: json({ "detail-type": "support-ticket", detail: { ...ticket, priority: "critical" } }),
    status: 400,
    error: "BadRequestBody",
    message: /^detail\.priority must be one of "low", "medium", "high", "urgent"/,
  },
  {
    name: "a nested wrong type",
    body: json({ "detail-type": "order-created", detail: { ...order, items: ["ok", 42] } }),
    status: 400,
    error: "BadRequestBody",
    message: /^detail\.items\[1\]/,
  },
  {
    name: "an unknown detail-type",
    body: json({ "detail-type": "order-deleted", detail: order }),
    status: 400,
    error: "BadRequestBody",
    message: /detail-type "order-deleted" is not one of: .*order-created/,
  },
  {
    name: "a missing detail-type",
    body: json({ detail: order }),
    status: 400,
    error: "BadRequestBody",
    message: /detail-type is required/,
  },
  {
    name: "a client-set source",
    body: json({ "detail-type": "order-created", detail: order, source: "evil" }),
    status: 400,
    error: "BadRequestBody",
    message: /body\.source is not allowed/,
  },
  {
    name: "a missing detail",
    body: json({ "detail-type": "order-created" }),
    status: 400,
    error: "BadRequestBody",
    message: /detail is required/,
  },
  ...[
    ["an array", []],
    ["a string", "{}"],
    ["null", null],
    ["a number", 7],
  ].map(([what, detail]): Case => ({
    name: `a non-object detail (${what as string})`,
    body: json({ "detail-type": "order-created", detail }),
    status: 400,
    error: "BadRequestBody",
    message: /^detail must be object/,
  })),
  {
    name: "a __proto__ key in detail",
    body: '{"detail-type": "order-created", "detail": {"orderId": "O", "__proto__": {"admin": true}}}',
    status: 400,
    error: "BadRequestBody",
    message: /body\.detail\.__proto__ is not allowed/,
  },
  {
    name: "a __proto__ key at the top level",
    body: '{"__proto__": {"x": 1}, "detail-type": "order-created", "detail": {}}',
    status: 400,
    error: "BadRequestBody",
    message: /__proto__/,
  },
  {
    name: "a unicode-escaped __proto__ key",
    body: '{"detail-type": "order-created", "detail": {"\\u005f_proto__": {"admin": true}}}',
    status: 400,
    error: "BadRequestBody",
    message: /__proto__/,
  },
  {
    name: "an event over EventBridge's 1 MB entry limit",
    body: json({ "detail-type": "order-created", detail: { ...order, note: "x".repeat(MAX_ENTRY_BYTES) } }),
    status: 413,
    error: "PayloadTooLarge",
    message: new RegExp(`EventBridge's limit is ${MAX_ENTRY_BYTES}`),
  },
  {
    name: "a body over the server's body limit",
    body: json({ "detail-type": "order-created", detail: { ...order, note: "x".repeat(BODY_LIMIT) } }),
    status: 413,
    error: "PayloadTooLarge",
    message: new RegExp(`body is over ${BODY_LIMIT} bytes`),
  },
  {
    name: "a text/plain content type",
    body: json({ "detail-type": "order-created", detail: order }),
    contentType: "text/plain",
    status: 415,
    error: "UnsupportedMediaType",
  },
  {
    name: "a form content type",
    body: "a=1",
    contentType: "application/x-www-form-urlencoded",
    status: 415,
    error: "UnsupportedMediaType",
  },
  {
    name: "the EventBridge content type on /events",
    body: json({ "detail-type": "order-created", detail: order }),
    contentType: "application/x-amz-json-1.1",
    status: 415,
    error: "UnsupportedMediaType",
  },
];

describe("local stack: bad requests on POST /events", function () {
  let server: Running;
  withStack((s) => (server = s));

  for (const c of cases) {
    it(`answers ${c.status} ${c.error} to ${c.name}`, async () => {
      const reply = await request(`${server.url}/events`, {
        method: "POST",
        body: c.body,
        headers: { "content-type": c.contentType ?? "application/json" },
      });

      expect(reply.status, reply.text).to.equal(c.status);
      expect(reply.headers.get("content-type")).to.match(/^application\/json/);
      expect(reply.body.error, reply.text).to.equal(c.error);
      expect(reply.body.message).to.be.a("string").with.length.greaterThan(0);
      if (c.message) expect(reply.body.message).to.match(c.message);
    });
  }

  it("reads a body without a content type as JSON, as API Gateway does", async () => {
    const valid = JSON.stringify({ "detail-type": "order-created", detail: order });
    const accepted = await fetch(`${server.url}/events`, {
      method: "POST",
      body: new Uint8Array(Buffer.from(valid)),
    });
    expect(accepted.status).to.equal(202);

    const rejected = await fetch(`${server.url}/events`, {
      method: "POST",
      body: new Uint8Array(Buffer.from("{}")),
    });
    expect(rejected.status).to.equal(400);
    expect(await rejected.json()).to.include({ error: "BadRequestBody" });
  });

  it("accepts the product description's curl body exactly as written, with a charset, after all of the above", async () => {
    const body = seedCurlBodies().find((b) => b.detailType === "order-created")?.text;
    expect(body, "the order curl body of the product description").to.be.a("string");
    const reply = await request(`${server.url}/events`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(reply.status, reply.text).to.equal(202);
    expect(reply.body.eventId).to.match(/^[0-9a-f-]{36}$/);
  });

  it("did not pollute Object.prototype", () => {
    expect(({} as Record<string, unknown>).admin).to.equal(undefined);
  });
});
