/**
 * compareSchemas: each breaking and each compatible kind of change, as a case table of two schemas and the
 * changes expected (kind, path, breaking).
 */
import { Type, type TSchema } from "@sinclair/typebox";
import { expect } from "chai";
import { breakingChanges, compareSchemas, type ChangeKind } from "../../../infra/table";

const order = (extra: Record<string, TSchema> = {}, options: object = {}) =>
  Type.Object(
    {
      orderId: Type.String({ minLength: 1, maxLength: 128 }),
      amount: Type.Number({ minimum: 0 }),
      currency: Type.Optional(Type.String({ pattern: "^[A-Z]{3}$" })),
      priority: Type.Union([Type.Literal("low"), Type.Literal("high")]),
      items: Type.Array(Type.Union([Type.String(), Type.Object({ name: Type.String() })]), { minItems: 1 }),
      ...extra,
    },
    { additionalProperties: true, ...options },
  );

/** A schema's JSON, indexed freely by the edits below. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = Record<string, any>;

/** A copy of `order()` with `edit` applied to its JSON. */
function edited(edit: (s: Editable) => void, base: TSchema = order()): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(base)) as Editable;
  edit(copy);
  return copy;
}

interface Case {
  title: string;
  before: unknown;
  after: unknown;
  /** Every change expected, as `kind path`. */
  changes: string[];
  breaking: boolean;
}

const cases: Case[] = [
  // Breaking for consumers: a guarantee they read is gone.
  {
    title: "a removed field",
    before: order(),
    after: edited((s) => delete s.properties.currency),
    changes: ["field-removed detail.currency"],
    breaking: true,
  },
  {
    title: "a renamed field (removed + added with the same schema)",
    before: order(),
    after: edited((s) => {
      s.properties.orderRef = s.properties.orderId;
      delete s.properties.orderId;
      s.required = s.required.map((k: string) => (k === "orderId" ? "orderRef" : k));
    }),
    changes: ["field-removed detail.orderId", "field-added-required detail.orderRef"],
    breaking: true,
  },
  // Field names that are also Object.prototype's members are fields like any other.
  {
    title: "a new required field named like an Object.prototype member (toString)",
    before: order(),
    after: edited((s) => {
      s.properties.toString = { type: "string" };
      s.required.push("toString");
    }),
    changes: ["field-added-required detail.toString"],
    breaking: true,
  },
  {
    title: "a removed field named constructor",
    before: edited((s) => (s.properties.constructor = { type: "string" })),
    after: order(),
    changes: ["field-removed detail.constructor"],
    breaking: true,
  },
  {
    title: "a required field made optional",
    before: order(),
    after: edited((s) => (s.required = s.required.filter((k: string) => k !== "amount"))),
    changes: ["field-now-optional detail.amount"],
    breaking: true,
  },
  {
    title: "a widened type (string to string | number)",
    before: order(),
    after: edited((s) => (s.properties.orderId.type = ["string", "number"])),
    changes: ["type-changed detail.orderId"],
    breaking: true,
  },
  // Breaking for producers: events valid before are rejected.
  {
    title: "a new required field",
    before: order(),
    after: order({ customerId: Type.String() }),
    changes: ["field-added-required detail.customerId"],
    breaking: true,
  },
  {
    title: "an optional field made required",
    before: order(),
    after: edited((s) => s.required.push("currency")),
    changes: ["field-now-required detail.currency"],
    breaking: true,
  },
  {
    title: "a narrowed type (number to integer)",
    before: order(),
    after: edited((s) => (s.properties.amount.type = "integer")),
    changes: ["type-changed detail.amount"],
    breaking: true,
  },
  {
    title: "a changed type (string to number)",
    before: order(),
    after: edited((s) => (s.properties.orderId = { type: "number" })),
    changes: ["type-changed detail.orderId"],
    breaking: true,
  },
  {
    title: "an enum value removed (a literal of a union)",
    before: order(),
    after: edited((s) => (s.properties.priority.anyOf = [{ const: "low", type: "string" }])),
    changes: ["enum-value-removed detail.priority"],
    breaking: true,
  },
  {
    title: "an enum where any string was accepted",
    before: order(),
    after: edited((s) => (s.properties.orderId.enum = ["A", "B"])),
    changes: ["enum-added detail.orderId"],
    breaking: true,
  },
  {
    title: "a raised minimum",
    before: order(),
    after: edited((s) => (s.properties.amount.minimum = 1)),
    changes: ["constraint-narrowed detail.amount"],
    breaking: true,
  },
  {
    title: "an exclusive minimum at the same bound",
    before: order(),
    after: edited((s) => {
      delete s.properties.amount.minimum;
      s.properties.amount.exclusiveMinimum = 0;
    }),
    changes: ["constraint-narrowed detail.amount"],
    breaking: true,
  },
  {
    title: "a lowered maxLength",
    before: order(),
    after: edited((s) => (s.properties.orderId.maxLength = 64)),
    changes: ["constraint-narrowed detail.orderId"],
    breaking: true,
  },
  {
    title: "a raised minItems",
    before: order(),
    after: edited((s) => (s.properties.items.minItems = 2)),
    changes: ["constraint-narrowed detail.items"],
    breaking: true,
  },
  {
    title: "a changed pattern",
    before: order(),
    after: edited((s) => (s.properties.currency.pattern = "^(AUD|USD)$")),
    changes: ["constraint-narrowed detail.currency"],
    breaking: true,
  },
  {
    title: "a new format",
    before: order(),
    after: edited((s) => (s.properties.orderId.format = "uuid")),
    changes: ["constraint-narrowed detail.orderId"],
    breaking: true,
  },
  {
    title: "closed additional properties",
    before: order(),
    after: order({}, { additionalProperties: false }),
    changes: ["additional-properties-closed detail"],
    breaking: true,
  },
  {
    title: "a branch of a union of shapes removed (array items)",
    before: order(),
    after: edited((s) => (s.properties.items.items = { type: "string" })),
    changes: ["type-changed detail.items[]"],
    breaking: true,
  },
  {
    title: "a field of an object inside a union of array items made required",
    before: order(),
    after: edited((s) => {
      s.properties.items.items.anyOf[1].properties.quantity = { type: "integer" };
      s.properties.items.items.anyOf[1].required.push("quantity");
    }),
    changes: ["field-added-required detail.items[].quantity"],
    breaking: true,
  },
  {
    title: "a keyword this check does not reason about (allOf)",
    before: order(),
    after: edited((s) => (s.allOf = [{ required: ["currency"] }])),
    changes: ["unsupported-changed detail"],
    breaking: true,
  },
  // Compatible.
  {
    title: "a new optional field",
    before: order(),
    after: order({ note: Type.Optional(Type.String()) }),
    changes: ["field-added-optional detail.note"],
    breaking: false,
  },
  {
    title: "an enum value added",
    before: order(),
    after: edited((s) => s.properties.priority.anyOf.push({ const: "urgent", type: "string" })),
    changes: ["enum-value-added detail.priority"],
    breaking: false,
  },
  {
    title: "a relaxed bound (maxLength raised, minimum removed)",
    before: order(),
    after: edited((s) => {
      s.properties.orderId.maxLength = 256;
      delete s.properties.amount.minimum;
    }),
    changes: ["constraint-relaxed detail.orderId", "constraint-relaxed detail.amount"],
    breaking: false,
  },
  {
    title: "a removed pattern",
    before: order(),
    after: edited((s) => delete s.properties.currency.pattern),
    changes: ["constraint-relaxed detail.currency"],
    breaking: false,
  },
  {
    title: "opened additional properties",
    before: order({}, { additionalProperties: false }),
    after: order(),
    changes: ["additional-properties-opened detail"],
    breaking: false,
  },
  {
    title: "annotations only (description, examples, version, title)",
    before: order(),
    after: order({}, { description: "An order", examples: [{}], version: 2, title: "Order" }),
    changes: [],
    breaking: false,
  },
  {
    title: "the same schema written as TypeBox and as plain JSON",
    before: order(),
    after: JSON.parse(JSON.stringify(order())),
    changes: [],
    breaking: false,
  },
];

describe("compareSchemas (the contract gate's diff of two JSON Schemas)", () => {
  for (const c of cases) {
    it(`${c.breaking ? "breaking" : "compatible"}: ${c.title}`, () => {
      const changes = compareSchemas(c.before, c.after);
      expect(changes.map((x) => `${x.kind} ${x.path}`)).to.deep.equal(c.changes);
      expect(breakingChanges(c.before, c.after).length > 0).to.equal(c.breaking);
      for (const change of changes) expect(change.message.startsWith(`${change.path}: `)).to.equal(true);
    });
  }

  it("names the field and the values in its messages", () => {
    const [narrowed] = compareSchemas(
      order(),
      edited((s) => (s.properties.amount.minimum = 1)),
    );
    expect(narrowed.message).to.equal("detail.amount: minimum narrowed from >= 0 to >= 1");
    const [removed] = compareSchemas(
      order(),
      edited((s) => (s.properties.priority.anyOf = [{ const: "low", type: "string" }])),
    );
    expect(removed.message).to.equal('detail.priority: value "high" removed');
    const renamed = edited((s) => {
      s.properties.orderRef = s.properties.orderId;
      delete s.properties.orderId;
    });
    const [first] = compareSchemas(order(), renamed);
    const kind: ChangeKind = first.kind;
    expect(kind).to.equal("field-removed");
    expect(first.message).to.equal(
      'detail.orderId: field removed (renamed to "orderRef"?); consumers reading it break',
    );
  });
});
