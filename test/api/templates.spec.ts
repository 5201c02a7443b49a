import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  METHOD_RESPONSE_STATUS_CODES,
  gatewayResponses,
  putEventsErrorTemplate,
  putEventsIntegrationResponses,
  putEventsRequestTemplate,
  putEventsResponseTemplate,
  type GatewayResponseType,
} from "../../infra/api/templates";
import { API_SOURCE } from "../../infra/sources";
import { renderGatewayResponse, renderTemplate, type EscapeFlavour } from "./vtl";

const BUS = "backbone-dev-bus";
const FLAVOURS: EscapeFlavour[] = ["commons-lang", "minimal"];

interface NastyBody {
  readonly name: string;
  readonly "detail-type": string;
  readonly detail: unknown;
}
const nastyBodies = JSON.parse(
  readFileSync(resolve(__dirname, "fixtures/nasty-bodies.json"), "utf8"),
) as NastyBody[];

interface PutEventsRequest {
  Entries: { Source: string; DetailType: string; Detail: string; EventBusName: string }[];
}

/** Renders the request template for a raw HTTP body and parses the PutEvents request it produces. */
function putEventsRequestFor(bodyText: string, flavour: EscapeFlavour): PutEventsRequest {
  const { output } = renderTemplate(putEventsRequestTemplate(BUS, API_SOURCE), { body: bodyText, escapeFlavour: flavour });
  try {
    return JSON.parse(output) as PutEventsRequest;
  } catch (e) {
    throw new Error(`request template produced invalid JSON (${String(e)}):\n${output}`);
  }
}

function expectFaithfulEntry(bodyText: string, flavour: EscapeFlavour): void {
  const sent = JSON.parse(bodyText) as { "detail-type": string; detail: unknown };
  const request = putEventsRequestFor(bodyText, flavour);
  expect(Object.keys(request)).to.deep.equal(["Entries"]);
  expect(request.Entries).to.have.length(1);
  const [entry] = request.Entries;
  expect(Object.keys(entry).sort()).to.deep.equal(["Detail", "DetailType", "EventBusName", "Source"]);
  expect(entry.Source).to.equal(API_SOURCE);
  expect(entry.EventBusName).to.equal(BUS);
  expect(entry.DetailType).to.equal(sent["detail-type"]);
  expect(entry.Detail).to.be.a("string");
  expect(JSON.parse(entry.Detail)).to.deep.equal(sent.detail);
}

describe("PutEvents request template (rendered by Velocity with API Gateway's $input/$util)", () => {
  for (const flavour of FLAVOURS) {
    describe(`escapeJavaScript flavour: ${flavour}`, () => {
      for (const body of nastyBodies) {
        it(`keeps the detail intact: ${body.name}`, () => {
          const text = JSON.stringify({ "detail-type": body["detail-type"], detail: body.detail });
          expectFaithfulEntry(text, flavour);
        });
      }

      it("keeps the detail intact for a pretty-printed body (whitespace and newlines between tokens)", () => {
        const body = nastyBodies.find((b) => b.name === "apostrophes")!;
        expectFaithfulEntry(JSON.stringify({ "detail-type": body["detail-type"], detail: body.detail }, null, 4), flavour);
      });

      it("keeps any JSON detail intact (property: 300 generated details)", () => {
        const key = fc.string({ unit: "binary", maxLength: 8 });
        const detail = fc.dictionary(key, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 });
        fc.assert(
          fc.property(detail, (d) => {
            expectFaithfulEntry(JSON.stringify({ "detail-type": "analytics-event", detail: d }), flavour);
          }),
          { numRuns: 300 },
        );
      });
    });
  }

  it("takes Source and EventBusName from the API, never from the client", () => {
    const text = JSON.stringify({
      "detail-type": "order-created",
      detail: { orderId: "O" },
      source: "evil.client",
      Source: "evil.client",
      EventBusName: "default",
    });
    const [entry] = putEventsRequestFor(text, "commons-lang").Entries;
    expect(entry.Source).to.equal(API_SOURCE);
    expect(entry.EventBusName).to.equal(BUS);
  });

  it("escapes a detail-type that would break out of its string (the model's enum rejects it first anyway)", () => {
    const text = JSON.stringify({ "detail-type": 'x","Source":"evil', detail: {} });
    const [entry] = putEventsRequestFor(text, "commons-lang").Entries;
    expect(entry.DetailType).to.equal('x","Source":"evil');
    expect(entry.Source).to.equal(API_SOURCE);
  });

  it("accepts a bus ARN and refuses values that Velocity or JSON would misread", () => {
    const arn = "arn:aws:events:ap-southeast-2:123456789012:event-bus/backbone-dev";
    const { output } = renderTemplate(putEventsRequestTemplate(arn, API_SOURCE), {
      body: JSON.stringify({ "detail-type": "a", detail: {} }),
    });
    expect((JSON.parse(output) as PutEventsRequest).Entries[0].EventBusName).to.equal(arn);
    for (const bad of ["$bus", "bus#1", 'bus"', "bus\\x", "", "bus name"]) {
      expect(() => putEventsRequestTemplate(bad, API_SOURCE), bad).to.throw(TypeError, /busName/);
    }
    expect(() => putEventsRequestTemplate(BUS, "$source")).to.throw(TypeError, /source/);
  });
});

interface Rendered {
  status: number;
  body: Record<string, unknown>;
}

/** Renders an integration response template: status = the override if set, else the integration response's. */
function respond(template: string, putEventsBody: unknown, defaultStatus: number, flavour?: EscapeFlavour): Rendered {
  const { output, context } = renderTemplate(template, { body: JSON.stringify(putEventsBody), escapeFlavour: flavour });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(output) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`response template produced invalid JSON (${String(e)}):\n${output}`);
  }
  return { status: context.responseOverride.status ?? defaultStatus, body };
}

const NASTY_MESSAGE = `It's "bad" \\ here\nand /there/ \u00e9 \u{1F600}`;

describe("PutEvents response template (integration response for HTTP 200)", () => {
  const [success] = putEventsIntegrationResponses();
  const template = putEventsResponseTemplate();
  const defaultStatus = Number(success.statusCode);

  it("is the default integration response and answers 202", () => {
    expect(success.selectionPattern).to.equal(undefined);
    expect(success.statusCode).to.equal("202");
    expect(success.responseTemplates["application/json"]).to.equal(template);
  });

  const cases: { name: string; response: unknown; status: number; body: Record<string, unknown> }[] = [
    {
      name: "success",
      response: { FailedEntryCount: 0, Entries: [{ EventId: "11710aed-b79e-4468-a20b-bb3c0c3b4860" }] },
      status: 202,
      body: { eventId: "11710aed-b79e-4468-a20b-bb3c0c3b4860" },
    },
    {
      name: "failed entry",
      response: {
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." }],
      },
      status: 500,
      body: { error: "PutEventsFailed", code: "InternalFailure", message: "Internal service failure." },
    },
    {
      name: "failed entry with a nasty message",
      response: { FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: NASTY_MESSAGE }] },
      status: 500,
      body: { error: "PutEventsFailed", code: "ThrottlingException", message: NASTY_MESSAGE },
    },
    {
      name: "failed entry without a message",
      response: { FailedEntryCount: 1, Entries: [{ ErrorCode: "MalformedDetail" }] },
      status: 500,
      body: { error: "PutEventsFailed", code: "MalformedDetail", message: "" },
    },
    {
      name: "FailedEntryCount > 0 wins over an EventId",
      response: { FailedEntryCount: 1, Entries: [{ EventId: "e-1", ErrorCode: "InternalFailure" }] },
      status: 500,
      body: { error: "PutEventsFailed", code: "InternalFailure", message: "" },
    },
    {
      name: "FailedEntryCount > 0 without an ErrorCode",
      response: { FailedEntryCount: 1, Entries: [{ EventId: "e-1" }] },
      status: 500,
      body: { error: "PutEventsFailed", code: "FailedEntry", message: "" },
    },
    {
      name: "no EventId although nothing failed",
      response: { FailedEntryCount: 0, Entries: [{}] },
      status: 500,
      body: { error: "PutEventsFailed", code: "MissingEventId", message: "" },
    },
    {
      name: "no entries at all",
      response: { FailedEntryCount: 0, Entries: [] },
      status: 500,
      body: { error: "PutEventsFailed", code: "MissingEventId", message: "" },
    },
  ];
  for (const flavour of FLAVOURS) {
    for (const c of cases) {
      it(`${c.name} → ${c.status} (${flavour})`, () => {
        expect(respond(template, c.response, defaultStatus, flavour)).to.deep.equal({ status: c.status, body: c.body });
      });
    }
  }
});

describe("PutEvents error template (integration response for 4xx/5xx from EventBridge)", () => {
  const [, failure] = putEventsIntegrationResponses();
  const template = putEventsErrorTemplate();
  const matches = (status: string) => new RegExp(`^(?:${failure.selectionPattern})$`).test(status);

  it("is selected by any 4xx/5xx from EventBridge and never by 2xx", () => {
    expect(failure.responseTemplates["application/json"]).to.equal(template);
    for (const s of ["400", "403", "413", "429", "500", "503"]) expect(matches(s), s).to.equal(true);
    for (const s of ["200", "202", "300"]) expect(matches(s), s).to.equal(false);
  });

  it("produces only statuses declared as method responses", () => {
    const declared = new Set(METHOD_RESPONSE_STATUS_CODES);
    for (const r of putEventsIntegrationResponses()) expect(declared.has(r.statusCode), r.statusCode).to.equal(true);
    for (const s of ["429", "500"]) expect(declared.has(s), s).to.equal(true);
  });

  const cases: { name: string; response: unknown; status: number; body: Record<string, unknown> }[] = [
    {
      name: "throttled",
      response: { __type: "ThrottlingException", message: "Rate exceeded" },
      status: 429,
      body: { error: "TooManyRequests", message: "Rate exceeded" },
    },
    {
      name: "access denied (namespaced type, capitalised Message)",
      response: { __type: "com.amazon.coral.service#AccessDeniedException", Message: `User isn't "allowed"` },
      status: 500,
      body: { error: "PutEventsFailed", code: "AccessDeniedException", message: `User isn't "allowed"` },
    },
    {
      name: "validation error with a type suffix and a nasty message",
      response: { __type: "ValidationException:http://internal.amazon.com/coral/", message: NASTY_MESSAGE },
      status: 500,
      body: { error: "PutEventsFailed", code: "ValidationException", message: NASTY_MESSAGE },
    },
    {
      name: "empty error body",
      response: {},
      status: 500,
      body: { error: "PutEventsFailed", code: "PutEventsError", message: "" },
    },
  ];
  for (const flavour of FLAVOURS) {
    for (const c of cases) {
      it(`${c.name} → ${c.status} (${flavour})`, () => {
        expect(respond(template, c.response, 500, flavour)).to.deep.equal({ status: c.status, body: c.body });
      });
    }
  }
});

describe("gateway responses (plain substitution, not VTL)", () => {
  const byType = new Map(gatewayResponses().map((r) => [r.responseType, r]));

  const expected: { type: GatewayResponseType; status?: string; error: string; message: string }[] = [
    { type: "BAD_REQUEST_BODY", status: "400", error: "BadRequestBody", message: "validation" },
    { type: "UNSUPPORTED_MEDIA_TYPE", status: "415", error: "UnsupportedMediaType", message: "Unsupported Media Type" },
    { type: "REQUEST_TOO_LARGE", status: "413", error: "PayloadTooLarge", message: "Request Too Long" },
    { type: "THROTTLED", status: "429", error: "TooManyRequests", message: "Too Many Requests" },
    { type: "MISSING_AUTHENTICATION_TOKEN", status: "404", error: "NotFound", message: "Missing Authentication Token" },
    { type: "DEFAULT_4XX", error: "ClientError", message: "Forbidden" },
    { type: "DEFAULT_5XX", error: "InternalError", message: "Internal server error" },
  ];

  it("defines exactly the contract's gateway responses", () => {
    expect([...byType.keys()].sort()).to.deep.equal(expected.map((e) => e.type).sort());
  });

  const validationMessages = [
    `[object has missing required properties (["detail"])]`,
    `[instance value ("order-deleted") not found in enum (possible values: ["analytics-event","order-created"])]`,
    `[object instance has properties which are not allowed by the schema: ["it's \\"quoted\\"","back\\\\slash"]]`,
    `[string "a\nb" is too short (length: 1, required minimum: 2)] 'single' \u00e9 \u{1F600} </tag>`,
  ];

  for (const e of expected) {
    it(`${e.type} → ${e.status ?? "its own status"} {"error":"${e.error}"}`, () => {
      const spec = byType.get(e.type)!;
      expect(spec.statusCode).to.equal(e.status);
      const template = spec.responseTemplates["application/json"];
      const messages = e.type === "BAD_REQUEST_BODY" ? validationMessages : [e.message, `It's "quoted" \\ text`];
      for (const msg of messages) {
        const output = renderGatewayResponse(template, {
          message: e.type === "BAD_REQUEST_BODY" ? "Invalid request body" : msg,
          responseType: e.type,
          validationErrorString: msg,
        });
        const body = JSON.parse(output) as Record<string, unknown>;
        expect(body.error).to.equal(e.error);
        expect(body.message).to.equal(msg);
        if (e.type.startsWith("DEFAULT_")) expect(body.type).to.equal(e.type);
      }
    });
  }

  it("THROTTLED tells clients when to retry", () => {
    expect(byType.get("THROTTLED")!.responseParameters).to.deep.equal({ "gatewayresponse.header.Retry-After": "'1'" });
  });

  it("uses no VTL directive or method call, which gateway responses would print verbatim", () => {
    for (const spec of gatewayResponses()) {
      const template = spec.responseTemplates["application/json"];
      expect(template, spec.responseType).not.to.match(/#(set|if|foreach)|\$util|\(/);
    }
  });
});
