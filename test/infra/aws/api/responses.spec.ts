import { expect } from "chai";
import {
  MAX_ENTRY_BYTES,
  METHOD_RESPONSE_STATUS_CODES,
  OVERRIDDEN_RESPONSE_HEADERS,
  RETRY_AFTER_SECONDS,
  putEventsErrorTemplate,
  putEventsIntegrationResponses,
  putEventsResponseTemplate,
  putEventsTooLargeTemplate,
} from "../../../../infra/aws/api/templates";
import { gatewayResponses, type GatewayResponseType } from "../../../../infra/aws/api/gateway-responses";
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
  return respondWithHeaders(template, putEventsBody, defaultStatus, flavour).rendered;
}

/** Like `respond`, with the headers the template set by `$context.responseOverride.header`. */
function respondWithHeaders(
  template: string,
  putEventsBody: unknown,
  defaultStatus: number,
  flavour?: EscapeFlavour,
): { rendered: Rendered; headers: Record<string, string> } {
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
  return {
    rendered: { status: context.responseOverride.status ?? defaultStatus, body },
    headers: { ...(context.responseOverride.header ?? {}) },
  };
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

  it("a throttled PutEvents is a 429 with Retry-After, and no other answer carries one", () => {
    const throttled = respondWithHeaders(
      template,
      { __type: "ThrottlingException", message: "Rate exceeded" },
      500,
    );
    expect(throttled.rendered.status).to.equal(429);
    expect(throttled.headers).to.deep.equal({ "Retry-After": String(RETRY_AFTER_SECONDS) });
    expect(OVERRIDDEN_RESPONSE_HEADERS["429"]).to.deep.equal(["Retry-After"]);
    for (const other of [
      { __type: "ValidationException", message: "size" },
      { __type: "AccessDeniedException" },
      {},
    ]) {
      expect(respondWithHeaders(template, other, 500).headers, JSON.stringify(other)).to.deep.equal({});
    }
  });

  it("says 1 MB, EventBridge's entry limit since 2026-01-29, when PutEvents refuses a larger entry", () => {
    expect(MAX_ENTRY_BYTES).to.equal(1024 * 1024);
    const { output } = renderTemplate(putEventsTooLargeTemplate(), { body: "" });
    expect((JSON.parse(output) as { message: string }).message).to.contain("1 MB per entry");
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
    { type: "QUOTA_EXCEEDED", status: "429", error: "QuotaExceeded", message: "Limit Exceeded" },
    {
      type: "MISSING_AUTHENTICATION_TOKEN",
      status: "404",
      error: "NotFound",
      message: "Missing Authentication Token",
    },
    { type: "INVALID_API_KEY", status: "403", error: "Forbidden", message: "Forbidden" },
    { type: "ACCESS_DENIED", status: "403", error: "Forbidden", message: "User is not authorized" },
    { type: "INVALID_SIGNATURE", status: "403", error: "Forbidden", message: "Signature mismatch" },
    { type: "EXPIRED_TOKEN", status: "403", error: "Forbidden", message: "The security token expired" },
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

  it("THROTTLED tells clients when to retry; QUOTA_EXCEEDED cannot (the quota resets at the end of its period)", () => {
    expect(byType.get("THROTTLED")!.responseParameters).to.deep.equal({
      "gatewayresponse.header.Retry-After": "'1'",
    });
    expect(byType.get("QUOTA_EXCEEDED")!.responseParameters).to.equal(undefined);
  });

  it("with iam auth, an unsigned request (MISSING_AUTHENTICATION_TOKEN) is 403 Forbidden, not 404", () => {
    const iam = new Map(gatewayResponses("iam").map((r) => [r.responseType, r]));
    const spec = iam.get("MISSING_AUTHENTICATION_TOKEN")!;
    expect(spec.statusCode).to.equal("403");
    const body = JSON.parse(
      renderGatewayResponse(spec.responseTemplates["application/json"], {
        message: "Missing Authentication Token",
        responseType: "MISSING_AUTHENTICATION_TOKEN",
      }),
    );
    expect(body).to.deep.equal({ error: "Forbidden", message: "Missing Authentication Token" });
    expect([...iam.keys()].sort()).to.deep.equal([...byType.keys()].sort());
    for (const auth of ["apiKey", "none"] as const) {
      expect(
        gatewayResponses(auth).find((r) => r.responseType === "MISSING_AUTHENTICATION_TOKEN")!.statusCode,
      ).to.equal("404");
    }
  });

  it("uses no VTL directive or method call, which gateway responses would print verbatim", () => {
    for (const spec of gatewayResponses()) {
      const template = spec.responseTemplates["application/json"];
      expect(template, spec.responseType).not.to.match(/#(set|if|foreach)|\$util|\(/);
    }
  });
});
