import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { putEventsRequestTemplate } from "../../../../infra/aws/api/templates";
import { routes } from "../../../../infra/routes";
import { API_SOURCE, eventCatalog } from "../../../../infra/table";
import { renderTemplate, type EscapeFlavour } from "./vtl";

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
  Entries: {
    Source: string;
    DetailType: string;
    Detail: string;
    EventBusName: string;
    TraceHeader?: string;
  }[];
}

/** Renders the request template for a raw HTTP body and parses the PutEvents request it produces. */
function putEventsRequestFor(bodyText: string, flavour: EscapeFlavour): PutEventsRequest {
  const { output } = renderTemplate(putEventsRequestTemplate(BUS, API_SOURCE), {
    body: bodyText,
    escapeFlavour: flavour,
  });
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

      for (const { detailType, examples } of eventCatalog(routes)) {
        it(`keeps every example of ${detailType} intact (the schema's examples)`, () => {
          expect(examples, "examples").to.not.have.length(0);
          for (const detail of examples) {
            expectFaithfulEntry(JSON.stringify({ "detail-type": detailType, detail }), flavour);
          }
        });
      }

      it("keeps the detail intact for a pretty-printed body (whitespace and newlines between tokens)", () => {
        const body = nastyBodies.find((b) => b.name === "apostrophes")!;
        expectFaithfulEntry(
          JSON.stringify({ "detail-type": body["detail-type"], detail: body.detail }, null, 4),
          flavour,
        );
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

  describe("TraceHeader: the request's X-Amzn-Trace-Id, so the X-Ray trace runs on through the bus", () => {
    const body = JSON.stringify({ "detail-type": "order-created", detail: { orderId: "O" } });
    const entryWith = (header: Record<string, string>, flavour: EscapeFlavour = "commons-lang") => {
      const { output } = renderTemplate(putEventsRequestTemplate(BUS, API_SOURCE), {
        body,
        params: { header },
        escapeFlavour: flavour,
      });
      return (JSON.parse(output) as PutEventsRequest).Entries[0];
    };
    const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    const cases: { name: string; header: Record<string, string>; expected: string | undefined }[] = [
      { name: "the header API Gateway adds", header: { "X-Amzn-Trace-Id": trace }, expected: trace },
      { name: "no header", header: {}, expected: undefined },
      {
        name: "an empty header (PutEvents refuses an empty TraceHeader)",
        header: { "X-Amzn-Trace-Id": "" },
        expected: undefined,
      },
      {
        name: "exactly 500 characters",
        header: { "X-Amzn-Trace-Id": "R".repeat(500) },
        expected: "R".repeat(500),
      },
      {
        name: "over PutEvents' 500 characters",
        header: { "X-Amzn-Trace-Id": "R".repeat(501) },
        expected: undefined,
      },
      {
        name: "a client's header with quotes and backslashes (kept as a string, X-Ray drops what is invalid)",
        header: { "X-Amzn-Trace-Id": `Root=1-"},{"Source":"evil\\` },
        expected: `Root=1-"},{"Source":"evil\\`,
      },
    ];
    for (const flavour of FLAVOURS) {
      for (const c of cases) {
        it(`${c.name} (${flavour})`, () => {
          const entry = entryWith(c.header, flavour);
          expect(entry.TraceHeader).to.equal(c.expected);
          expect(entry.Source).to.equal(API_SOURCE);
          if (c.expected === undefined) expect(entry).to.not.have.property("TraceHeader");
        });
      }
    }
    it("reads the header only, not a query parameter of the same name", () => {
      const { output } = renderTemplate(putEventsRequestTemplate(BUS, API_SOURCE), {
        body,
        params: { querystring: { "X-Amzn-Trace-Id": trace } },
      });
      expect((JSON.parse(output) as PutEventsRequest).Entries[0]).to.not.have.property("TraceHeader");
    });
  });

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
