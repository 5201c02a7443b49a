import { expect } from "chai";
import {
  METHOD_RESPONSE_STATUS_CODES,
  gatewayResponses,
  putEventsErrorTemplate,
  putEventsIntegrationResponses,
  putEventsResponseTemplate,
  putEventsTooLargeTemplate,
  type GatewayResponseType,
} from "../../../../infra/aws/api/templates";
import { renderGatewayResponse, renderTemplate, type EscapeFlavour } from "./vtl";

const FLAVOURS: EscapeFlavour[] = ["commons-lang", "minimal"];

interface Rendered {
  status: number;
  body: Record<string, unknown>;
}

/** Renders an integration response template: status = the override if set, else the integration response's. */
function respond(
  template: string,
  putEventsBody: unknown,
  defaultStatus: number,
  flavour?: EscapeFlavour,
): Rendered {
  const { output, context } = renderTemplate(template, {
    body: JSON.stringify(putEventsBody),
    escapeFlavour: flavour,
  });
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
      response: {
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: NASTY_MESSAGE }],
      },
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
        expect(respond(template, c.response, defaultStatus, flavour)).to.deep.equal({
          status: c.status,
          body: c.body,
        });
      });
    }
  }
});

describe("PutEvents error template (integration response for 4xx/5xx from EventBridge)", () => {
  const template = putEventsErrorTemplate();
  /** The integration responses whose selection pattern matches an HTTP status from PutEvents. */
  const selected = (status: string) =>
    putEventsIntegrationResponses().filter(
      (r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(status),
    );

  it("selects exactly one response for every 4xx/5xx from EventBridge and none for 2xx", () => {
    for (let s = 400; s < 600; s++) {
      const matched = selected(String(s));
      expect(matched, String(s)).to.have.length(1);
      const expected = s === 413 ? putEventsTooLargeTemplate() : template;
      expect(matched[0].responseTemplates["application/json"], String(s)).to.equal(expected);
    }
    for (const s of ["200", "202", "204", "300"]) expect(selected(s), s).to.have.length(0);
  });

  it("maps an HTTP 413 (empty body) to 413 PayloadTooLarge", () => {
    const [tooLarge] = selected("413");
    expect(tooLarge.statusCode).to.equal("413");
    const { output, context } = renderTemplate(putEventsTooLargeTemplate(), { body: "" });
    expect(context.responseOverride.status).to.equal(undefined);
    expect((JSON.parse(output) as { error: string }).error).to.equal("PayloadTooLarge");
  });

  it("produces only statuses declared as method responses", () => {
    const declared = new Set(METHOD_RESPONSE_STATUS_CODES);
    for (const r of putEventsIntegrationResponses())
      expect(declared.has(r.statusCode), r.statusCode).to.equal(true);
    for (const s of ["413", "429", "500"]) expect(declared.has(s), s).to.equal(true);
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
      name: "event over the size limit",
      response: {
        __type: "ValidationException",
        message: "Total size of the entries in the request is over the limit.",
      },
      status: 413,
      body: {
        error: "PayloadTooLarge",
        message: "Total size of the entries in the request is over the limit.",
      },
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
    {
      type: "UNSUPPORTED_MEDIA_TYPE",
      status: "415",
      error: "UnsupportedMediaType",
      message: "Unsupported Media Type",
    },
    { type: "REQUEST_TOO_LARGE", status: "413", error: "PayloadTooLarge", message: "Request Too Long" },
    { type: "THROTTLED", status: "429", error: "TooManyRequests", message: "Too Many Requests" },
    {
      type: "MISSING_AUTHENTICATION_TOKEN",
      status: "404",
      error: "NotFound",
      message: "Missing Authentication Token",
    },
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
      const messages =
        e.type === "BAD_REQUEST_BODY" ? validationMessages : [e.message, `It's "quoted" \\ text`];
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
    expect(byType.get("THROTTLED")!.responseParameters).to.deep.equal({
      "gatewayresponse.header.Retry-After": "'1'",
    });
  });

  it("uses no VTL directive or method call, which gateway responses would print verbatim", () => {
    for (const spec of gatewayResponses()) {
      const template = spec.responseTemplates["application/json"];
      expect(template, spec.responseType).not.to.match(/#(set|if|foreach)|\$util|\(/);
    }
  });
});
