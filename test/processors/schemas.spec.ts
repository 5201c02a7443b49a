import { Value } from "@sinclair/typebox/value";
import { expect } from "chai";
import { eventCatalog } from "../../infra/table";
import { routes } from "../../infra/routes";
import { seedCurlBodies } from "../support/seed";
import { examplesOf, fixture, fixtureNames, harness } from "./helpers";

const catalog = eventCatalog(routes);
const schemaOf = (detailType: string) => {
  const entry = catalog.find((c) => c.detailType === detailType);
  if (!entry) throw new Error(`detail-type "${detailType}" is not in the catalogue`);
  return entry.schema;
};

describe("event schemas", () => {
  for (const { detailType, text: body } of seedCurlBodies()) {
    it(`accepts the product description's ${detailType} curl body as written`, () => {
      const request = JSON.parse(body) as { "detail-type": string; detail: unknown };
      expect(request["detail-type"]).to.equal(detailType);
      const schema = schemaOf(detailType);
      expect([...Value.Errors(schema, request.detail)].map((e) => `${e.path}: ${e.message}`)).to.deep.equal(
        [],
      );
      expect(Value.Check(schema, request.detail)).to.equal(true);
    });

    it(`has a fixture whose detail is the ${detailType} curl body`, () => {
      const request = JSON.parse(body) as { detail: unknown };
      expect(fixture(`${detailType}.seed`).detail).to.deep.equal(request.detail);
    });
  }

  for (const { detailType, schema, examples } of catalog) {
    it(`${detailType}: its schema carries at least one example, and every example validates`, () => {
      expect(examples, "the schema's examples").to.not.have.length(0);
      examples.forEach((example, i) => {
        const errors = [...Value.Errors(schema, example)].map((e) => `${e.path}: ${e.message}`);
        expect(errors, `example ${i + 1}`).to.deep.equal([]);
      });
    });
  }

  for (const row of routes) {
    it(`route ${row.key}: every example runs, and emits only declared, catalogued, valid events`, async () => {
      const declared = row.processor.emits ?? [];
      for (const event of examplesOf(row.processor)) {
        // The harness enforces the declaration (as Lambda does): an undeclared emit fails the run.
        const h = harness(row.processor, row.key);
        await h.run(event);
        for (const e of h.published) {
          expect(declared, `${event.id} emitted ${e.detailType}`).to.include(e.detailType);
          const errors = [...Value.Errors(schemaOf(e.detailType), e.detail)].map(
            (x) => `${x.path}: ${x.message}`,
          );
          expect(errors, `${event.id} → ${e.detailType}`).to.deep.equal([]);
        }
      }
    });
  }

  for (const name of fixtureNames()) {
    it(`fixture ${name} is a full EventBridge envelope whose detail validates`, () => {
      const event = fixture(name);
      expect(Object.keys(event).sort()).to.deep.equal(
        ["account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"].sort(),
      );
      expect(event.source).to.match(/^backbone\./);
      expect(Number.isNaN(Date.parse(event.time))).to.equal(false);
      expect(Value.Check(schemaOf(event["detail-type"]), event.detail)).to.equal(true);
    });
  }

  describe("rejects what the processors cannot handle", () => {
    const cases: { detailType: string; detail: unknown; why: string }[] = [
      {
        detailType: "order-created",
        detail: { orderId: "O", customerId: "C", amount: 1, items: [] },
        why: "no items",
      },
      {
        detailType: "order-created",
        detail: { orderId: "O", customerId: "C", amount: "1", items: ["a"] },
        why: "amount as a string",
      },
      {
        detailType: "order-created",
        detail: { orderId: "O", customerId: "C", amount: -1, items: ["a"] },
        why: "negative amount",
      },
      {
        detailType: "support-ticket",
        detail: { ticketId: "T", customerId: "C", priority: "critical", category: "billing", subject: "s" },
        why: "unknown priority",
      },
      {
        detailType: "support-ticket",
        detail: { ticketId: "T", customerId: "C", priority: "low", category: "billing" },
        why: "no subject",
      },
      { detailType: "analytics-event", detail: { userId: "U" }, why: "no eventType" },
      {
        detailType: "analytics-event",
        detail: { eventType: "click", userId: "U", properties: [] },
        why: "properties as array",
      },
      { detailType: "user-registered", detail: { userId: "U", email: "not-an-email" }, why: "bad e-mail" },
      {
        detailType: "notification-sent",
        detail: { recipient: "r", channel: "fax", template: "t" },
        why: "unknown channel",
      },
    ];
    for (const c of cases) {
      it(`${c.detailType}: ${c.why}`, () => {
        expect(Value.Check(schemaOf(c.detailType), c.detail)).to.equal(false);
      });
    }
  });

  it("across routes, the examples make processors emit (so the checks above are not vacuous)", async () => {
    let emitted = 0;
    for (const row of routes) {
      for (const event of examplesOf(row.processor)) {
        const h = harness(row.processor, row.key);
        await h.run(event);
        emitted += h.published.length;
      }
    }
    expect(emitted).to.be.greaterThan(0);
  });
});
