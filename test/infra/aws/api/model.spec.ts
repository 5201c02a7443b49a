import Ajv from "ajv-draft-04";
import { Type } from "@sinclair/typebox";
import { expect } from "chai";
import {
  DRAFT_04,
  ModelSchemaError,
  requestModelSchema,
  requestModelSchemaJson,
  toDraft04,
} from "../../../../infra/aws/api/model";
import { eventCatalog } from "../../../../infra/table";
import { routes } from "../../../../infra/routes";
import { seedCurlBodies } from "../../../support/seed";

/** A draft-04 validator, like API Gateway's (strict mode off: draft-04 schemas may carry `title` etc.). */
function compileModel() {
  const schema = JSON.parse(requestModelSchemaJson(eventCatalog(routes))) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(schema);
}

const validOrder = {
  "detail-type": "order-created",
  detail: { orderId: "O-1", customerId: "C-1", amount: 10, items: ["x"] },
};

describe("API request model (draft 4, from the event catalogue)", () => {
  const validate = compileModel();

  it("is a draft-04 schema with no Symbol keys, $id or const anywhere", () => {
    const schema = requestModelSchema(eventCatalog(routes));
    expect(schema.$schema).to.equal(DRAFT_04);
    const text = JSON.stringify(schema);
    expect(text).not.to.match(/"\$id"|"const"|"\$ref"/);
    const walk = (v: unknown): void => {
      if (v && typeof v === "object") {
        expect(Object.getOwnPropertySymbols(v), "symbol keys").to.have.length(0);
        Object.values(v).forEach(walk);
      }
    };
    walk(schema);
  });

  it("enumerates every catalogue detail-type and forbids extra top-level keys", () => {
    const schema = requestModelSchema(eventCatalog(routes));
    const types = eventCatalog(routes).map((e) => e.detailType);
    expect((schema.properties as Record<string, { enum: string[] }>)["detail-type"].enum).to.deep.equal(
      types,
    );
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.required).to.deep.equal(["detail-type", "detail"]);
    expect(schema.oneOf as unknown[]).to.have.length(types.length);
  });

  it("accepts the three curl bodies of the product description exactly as written", () => {
    const bodies = seedCurlBodies();
    expect(bodies, "curl bodies found in the seed").to.have.length(3);
    for (const body of bodies) {
      expect(validate(JSON.parse(body.text)), JSON.stringify(validate.errors)).to.equal(true);
    }
  });

  for (const { detailType, examples } of eventCatalog(routes)) {
    it(`accepts every example of ${detailType} (the schema's examples)`, () => {
      expect(examples, "examples").to.not.have.length(0);
      for (const detail of examples) {
        const body = { "detail-type": detailType, detail };
        expect(validate(body), `${detailType}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      }
    });
  }

  const rejected: { name: string; body: unknown }[] = [
    { name: "unknown detail-type", body: { ...validOrder, "detail-type": "order-deleted" } },
    { name: "missing detail", body: { "detail-type": "order-created" } },
    { name: "missing detail-type", body: { detail: validOrder.detail } },
    { name: "detail is not an object", body: { ...validOrder, detail: "ORD-1" } },
    { name: "detail is an array", body: { ...validOrder, detail: [validOrder.detail] } },
    { name: "detail-type is not a string", body: { ...validOrder, "detail-type": 7 } },
    { name: "extra top-level key (client-set source)", body: { ...validOrder, source: "evil" } },
    { name: "amount is a string", body: { ...validOrder, detail: { ...validOrder.detail, amount: "10" } } },
    { name: "negative amount", body: { ...validOrder, detail: { ...validOrder.detail, amount: -1 } } },
    {
      name: "missing required orderId",
      body: { ...validOrder, detail: { ...validOrder.detail, orderId: undefined } },
    },
    { name: "empty items", body: { ...validOrder, detail: { ...validOrder.detail, items: [] } } },
    {
      name: "support priority outside the literal union",
      body: {
        "detail-type": "support-ticket",
        detail: { ticketId: "T", customerId: "C", priority: "critical", category: "billing", subject: "S" },
      },
    },
    {
      name: "detail of another type (order detail sent as support-ticket)",
      body: { "detail-type": "support-ticket", detail: validOrder.detail },
    },
    { name: "body is an array", body: [validOrder] },
    { name: "body is null", body: null },
  ];
  for (const { name, body } of rejected) {
    it(`rejects: ${name}`, () => {
      const clean = JSON.parse(JSON.stringify(body)) as unknown; // as sent over HTTP (drops undefined)
      expect(validate(clean)).to.equal(false);
    });
  }
});

describe("toDraft04 (TypeBox → draft 4)", () => {
  it("maps const to enum and collapses a union of literals into one enum", () => {
    const schema = toDraft04(Type.Union([Type.Literal("low"), Type.Literal("high")]));
    expect(schema).to.deep.equal({ type: "string", enum: ["low", "high"] });
    expect(toDraft04(Type.Literal(3))).to.deep.equal({ type: "number", enum: [3] });
  });

  it("drops the contract metadata (version, examples): API Gateway refuses keywords it does not know", () => {
    const schema = toDraft04(Type.Object({ a: Type.String() }, { version: 3, examples: [{ a: "x" }] }));
    expect(schema).to.deep.equal({ type: "object", properties: { a: { type: "string" } }, required: ["a"] });
  });

  it("drops Symbol keys and $id, keeps validation keywords", () => {
    const schema = toDraft04(
      Type.Object(
        { a: Type.Optional(Type.String({ minLength: 2 })) },
        { $id: "X", additionalProperties: false },
      ),
    );
    expect(schema).to.deep.equal({
      type: "object",
      properties: { a: { type: "string", minLength: 2 } },
      additionalProperties: false,
    });
  });

  it("rewrites numeric exclusive bounds to draft-4 booleans", () => {
    expect(toDraft04(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 10 }))).to.deep.equal({
      type: "number",
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 10,
      exclusiveMaximum: true,
    });
  });

  const refused: { name: string; schema: unknown; pointer: RegExp }[] = [
    {
      name: "$ref",
      schema: { type: "object", properties: { a: { $ref: "#/x" } } },
      pointer: /\/properties\/a\/\$ref/,
    },
    { name: "if/then", schema: { if: { type: "string" }, then: {} }, pointer: /\/if/ },
    { name: "contains", schema: { type: "array", contains: { type: "string" } }, pointer: /\/contains/ },
    {
      name: "boolean schema",
      schema: { type: "object", properties: { a: true } },
      pointer: /\/properties\/a/,
    },
    { name: "TypeBox non-JSON type", schema: Type.Date(), pointer: /\/type/ },
    {
      name: "both minimum and numeric exclusiveMinimum",
      schema: { minimum: 1, exclusiveMinimum: 2 },
      pointer: /min/,
    },
  ];
  for (const { name, schema, pointer } of refused) {
    it(`refuses ${name}, naming where`, () => {
      expect(() => toDraft04(schema)).to.throw(ModelSchemaError, pointer);
    });
  }

  it("refuses an empty catalogue", () => {
    expect(() => requestModelSchema([])).to.throw(ModelSchemaError, /empty/);
  });
});
