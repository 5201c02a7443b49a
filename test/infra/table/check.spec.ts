import { expect } from "chai";
import { Type } from "@sinclair/typebox";
import type { RouteRow } from "../../../infra/table";
import { routes } from "../../../infra/routes";
import { checkRoutes, formatProblems } from "../../../infra/table";
import { defineProcessor } from "../../../processors/runtime";

const base = routes[0];
/** `base` alone is a valid table once its processor emits nothing (what it emits, nothing else consumes). */
const alone: RouteRow = { ...base, processor: { ...base.processor, emits: undefined } };

/** The real table with one row replaced by `row` (spread over the first row). */
function tableWith(row: Partial<RouteRow> & Record<string, unknown>): RouteRow[] {
  return [...routes, { ...base, key: "extra-row", ...row } as RouteRow];
}

describe("infra/validate-table", () => {
  it("accepts the real routing table", () => {
    expect(checkRoutes(routes)).to.deep.equal([]);
  });

  const cases: { title: string; table: RouteRow[]; row: string; message: RegExp }[] = [
    { title: "duplicate key", table: tableWith({ key: base.key }), row: base.key, message: /duplicate key/ },
    {
      title: "upper-case key",
      table: tableWith({ key: "Order-Review" }),
      row: "Order-Review",
      message: /key must/,
    },
    {
      title: "key ending in a dash",
      table: tableWith({ key: "order-" }),
      row: "order-",
      message: /key must/,
    },
    {
      title: "key over 40 characters",
      table: tableWith({ key: "a".repeat(41) }),
      row: "a".repeat(41),
      message: /key/,
    },
    {
      title: "missing processor",
      table: tableWith({ processor: undefined as never }),
      row: "extra-row",
      message: /missing processor/,
    },
    {
      title: "retry attempts above 185",
      table: tableWith({ retry: { maximumRetryAttempts: 186, maximumEventAgeSeconds: 3600 } }),
      row: "extra-row",
      message: /maximumRetryAttempts must be an integer from 0 to 185/,
    },
    {
      title: "event age below 60 s",
      table: tableWith({ retry: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 59 } }),
      row: "extra-row",
      message: /maximumEventAgeSeconds must be an integer from 60 to 86400/,
    },
    {
      title: "memory below 128 MB",
      table: tableWith({ memoryMb: 64 }),
      row: "extra-row",
      message: /memoryMb/,
    },
    {
      title: "timeout above 900 s",
      table: tableWith({ timeoutSeconds: 901 }),
      row: "extra-row",
      message: /timeoutSeconds/,
    },
    {
      title: "reserved concurrency of 0 (it would stop the route)",
      table: tableWith({ reservedConcurrency: 0 }),
      row: "extra-row",
      message: /reservedConcurrency must be an integer from 1 to/,
    },
    {
      title: "pattern EventBridge rejects (scalar instead of array)",
      table: tableWith({ pattern: { "detail-type": "order-created" } }),
      row: "extra-row",
      message: /EventBridge would reject the pattern/,
    },
    {
      title: "second schema for a catalogued detail-type",
      table: tableWith({
        processor: defineProcessor({
          name: "impostor",
          detailType: base.processor.detailType,
          schema: Type.Object({}),
          handle: () => undefined,
        }),
      }),
      row: "extra-row",
      message: /another schema for detail-type/,
    },
    {
      title: "processor emitting a detail-type no row consumes",
      table: tableWith({ processor: { ...base.processor, name: "extra", emits: ["order-shipped"] } }),
      row: "extra-row",
      message: /processor "extra" emits "order-shipped", which no row consumes/,
    },
    {
      title: "emits that is not a list of detail-types",
      table: tableWith({ processor: { ...base.processor, emits: "notification-sent" as never } }),
      row: "extra-row",
      message: /emits must be an array of detail-types/,
    },
    {
      title: "schema version that is not a positive integer",
      table: tableWith({
        processor: {
          ...alone.processor,
          detailType: "extra-type",
          schema: Type.Object({}, { version: 1.5 }),
        },
      }),
      row: "extra-row",
      message: /version 1.5; a version is a positive integer/,
    },
    {
      title: "schema examples that are not an array",
      table: tableWith({
        processor: {
          ...alone.processor,
          detailType: "extra-type",
          schema: Type.Object({}, { examples: {} }),
        },
      }),
      row: "extra-row",
      message: /"examples" that is not an array/,
    },
    {
      title: "detail-type with a digit (it names its registry schema; AWS's schema names have none)",
      table: tableWith({
        processor: {
          ...alone.processor,
          detailType: "order-v2",
          schema: Type.Object({}, { version: 1 }),
        },
      }),
      row: "extra-row",
      message: /cannot name its registry schema: EventBridge schema name "order-v2" may only contain letters/,
    },
    {
      title: "two detail-types that would share one catalog key (shop@order, shop_order)",
      table: [
        ...routes,
        {
          ...base,
          key: "shop-a",
          processor: {
            ...alone.processor,
            detailType: "shop@order",
            schema: Type.Object({}, { version: 1 }),
          },
        },
        {
          ...base,
          key: "shop-b",
          processor: {
            ...alone.processor,
            detailType: "shop_order",
            schema: Type.Object({}, { version: 1 }),
          },
        },
      ] as RouteRow[],
      row: "shop-b",
      message: /"shop_order" and "shop@order" would share the catalog key "shop_order"/,
    },
  ];
  for (const c of cases) {
    it(`reports a ${c.title}, naming the row`, () => {
      const problems = checkRoutes(c.table);
      expect(problems.map((p) => p.row)).to.include(c.row);
      expect(problems.find((p) => p.row === c.row)?.message).to.match(c.message);
      expect(formatProblems(problems)).to.contain(`route "${c.row}"`);
    });
  }
});
