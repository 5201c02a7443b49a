/**
 * The AsyncAPI catalog of the routing table: valid AsyncAPI 3.0 per `@asyncapi/parser`, one channel per
 * detail-type with its schema and examples, and who consumes and emits each (table-driven).
 */
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../../../infra/routes";
import {
  asyncApiDocument,
  catalogContracts,
  emitters,
  eventCatalog,
  tableContracts,
  type AsyncApiDocument,
} from "../../../infra/table";

const COMMITTED = join(__dirname, "..", "..", "..", "infra", "catalog", "asyncapi.json");
const doc = asyncApiDocument(routes, { title: "event-backbone events", version: "0.1.0" });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = doc as any;

/** The parser's errors (severity Error) for `document`, as `code path: message`. */
async function errorsOf(parser: Parser, document: unknown): Promise<string[]> {
  const { diagnostics } = await parser.parse(JSON.stringify(document));
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${d.code} ${d.path.join(".")}: ${d.message}`);
}

describe("AsyncAPI catalog (infra/table/asyncapi.ts)", function () {
  // The parser loads its rulesets on first use (about a second, more on a busy machine).
  this.timeout(60_000);
  const parser = new Parser();

  it("is a valid AsyncAPI 3.0.0 document, generated and committed alike", async () => {
    expect(doc.asyncapi).to.equal("3.0.0");
    expect(await errorsOf(parser, doc)).to.deep.equal([]);
    const committed = JSON.parse(readFileSync(COMMITTED, "utf8")) as AsyncApiDocument;
    // The same text has the same diagnostics: parsed again only when it differs (a parse is ~1 s of CPU).
    if (JSON.stringify(committed) !== JSON.stringify(doc)) {
      expect(await errorsOf(parser, committed)).to.deep.equal([]);
    }
  });

  it("the validation can fail: an operation on a channel that does not exist is an error", async () => {
    const broken = JSON.parse(JSON.stringify(doc));
    const [first] = Object.keys(broken.operations);
    broken.operations[first].channel = { $ref: "#/channels/no-such-channel" };
    expect(await errorsOf(parser, broken)).to.not.deep.equal([]);
  });

  for (const entry of eventCatalog(routes)) {
    describe(`detail-type "${entry.detailType}"`, () => {
      it("has one channel addressed by the detail-type, with one message", () => {
        const channel = json.channels[entry.detailType];
        expect(channel.address).to.equal(entry.detailType);
        expect(channel.messages).to.deep.equal({
          [entry.detailType]: { $ref: `#/components/messages/${entry.detailType}` },
        });
      });

      it("its message carries the detail's JSON Schema, the schema's examples and the contract version", () => {
        const message = json.components.messages[entry.detailType];
        const { version: _v, examples: _e, ...payload } = JSON.parse(JSON.stringify(entry.schema));
        expect(message.payload).to.deep.equal(payload);
        expect(message.payload).to.not.have.any.keys("version", "examples");
        expect(message.examples.map((e: { payload: unknown }) => e.payload)).to.deep.equal(entry.examples);
        expect(message["x-version"]).to.equal(entry.version);
        expect(message.contentType).to.equal("application/json");
      });

      it("names every route that consumes it (receive) and every processor that emits it (send)", () => {
        const ops = Object.values(json.operations) as {
          action: string;
          channel: { $ref: string };
          "x-route"?: string;
          "x-processor": string;
        }[];
        const on = ops.filter((o) => o.channel.$ref === `#/channels/${entry.detailType}`);
        expect(
          on.filter((o) => o.action === "receive").map((o) => [o["x-route"], o["x-processor"]]),
        ).to.deep.equal(
          routes
            .filter((r) => r.processor.detailType === entry.detailType)
            .map((r) => [r.key, r.processor.name]),
        );
        expect(on.filter((o) => o.action === "send").map((o) => o["x-processor"])).to.deep.equal(
          emitters(routes)
            .filter((e) => e.detailType === entry.detailType)
            .map((e) => e.processor),
        );
      });
    });
  }

  it("records the table's emits (so the send operations above are not vacuous)", () => {
    // A literal from the table: the order processor declares its confirmation notification.
    expect(emitters(routes)).to.deep.include({ processor: "order", detailType: "notification-sent" });
    expect(json.operations["emit-notification-sent-from-order"]).to.include({ action: "send" });
  });

  it("reads back the contracts it records (what the gate compares)", () => {
    expect(tableContracts(routes)).to.deep.equal(
      eventCatalog(routes).map((e) => {
        const { version: _v, examples: _e, ...schema } = JSON.parse(JSON.stringify(e.schema));
        return { detailType: e.detailType, version: e.version, schema };
      }),
    );
    expect(() => catalogContracts({ openapi: "3.0.0" })).to.throw(TypeError, /not an AsyncAPI 3 document/);
    const noVersion = JSON.parse(JSON.stringify(doc));
    delete noVersion.components.messages["order-created"]["x-version"];
    expect(() => catalogContracts(noVersion)).to.throw(TypeError, /"order-created" has no x-version/);
  });
});
