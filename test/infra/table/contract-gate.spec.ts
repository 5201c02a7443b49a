/**
 * The contract gate's verdicts: the committed catalog's contracts against the table's, per detail-type, and
 * which verdicts fail `contract:check` and which stop `npm run catalog`.
 */
import { expect } from "chai";
import {
  checkFailures,
  contractFindings,
  writeFailures,
  type Contract,
  type FindingKind,
  type Json,
} from "../../../infra/table";

const schema = (extra: Record<string, Json> = {}, required = ["orderId"]): Json => ({
  type: "object",
  properties: { orderId: { type: "string" }, ...extra },
  required,
});
const contract = (version: number, s: Json = schema(), detailType = "order-created"): Contract => ({
  detailType,
  version,
  schema: s,
});

interface Case {
  title: string;
  committed: Contract[];
  current: Contract[];
  kind: FindingKind | undefined;
  failsCheck: boolean;
  failsWrite: boolean;
}

const cases: Case[] = [
  {
    title: "nothing changed",
    committed: [contract(1)],
    current: [contract(1)],
    kind: undefined,
    failsCheck: false,
    failsWrite: false,
  },
  {
    title: "a new optional field at the same version",
    committed: [contract(1)],
    current: [contract(1, schema({ note: { type: "string" } }))],
    kind: "compatible",
    failsCheck: false,
    failsWrite: false,
  },
  {
    title: "a new required field at the same version",
    committed: [contract(1)],
    current: [contract(1, schema({ customerId: { type: "string" } }, ["orderId", "customerId"]))],
    kind: "breaking",
    failsCheck: true,
    failsWrite: true,
  },
  {
    title: "a new required field with the version bumped, catalog not regenerated",
    committed: [contract(1)],
    current: [contract(2, schema({ customerId: { type: "string" } }, ["orderId", "customerId"]))],
    kind: "version-bumped",
    failsCheck: true,
    failsWrite: false,
  },
  {
    title: "a new required field with the version bumped and the catalog regenerated",
    committed: [contract(2, schema({ customerId: { type: "string" } }, ["orderId", "customerId"]))],
    current: [contract(2, schema({ customerId: { type: "string" } }, ["orderId", "customerId"]))],
    kind: undefined,
    failsCheck: false,
    failsWrite: false,
  },
  {
    title: "a lowered version",
    committed: [contract(2)],
    current: [contract(1)],
    kind: "version-lowered",
    failsCheck: true,
    failsWrite: true,
  },
  {
    title: "a removed detail-type",
    committed: [contract(1), contract(1, schema(), "order-cancelled")],
    current: [contract(1)],
    kind: "removed",
    failsCheck: true,
    failsWrite: true,
  },
  {
    title: "a new detail-type",
    committed: [contract(1)],
    current: [contract(1), contract(1, schema(), "order-shipped")],
    kind: "added",
    failsCheck: false,
    failsWrite: false,
  },
];

describe("contract gate (committed catalog vs the table)", () => {
  for (const c of cases) {
    it(`${c.title}: ${c.kind ?? "no finding"}; check ${c.failsCheck ? "fails" : "passes"}, write ${c.failsWrite ? "refuses" : "writes"}`, () => {
      const findings = contractFindings(c.committed, c.current);
      expect(findings.map((f) => f.kind)).to.deep.equal(c.kind === undefined ? [] : [c.kind]);
      expect(checkFailures(findings).length > 0).to.equal(c.failsCheck);
      expect(writeFailures(findings).length > 0).to.equal(c.failsWrite);
    });
  }

  it("lets `npm run catalog --allow-removal` publish a removal, and nothing else", () => {
    const findings = contractFindings(
      [contract(1), contract(1, schema(), "order-cancelled")],
      [contract(1, schema({ customerId: { type: "string" } }, ["orderId", "customerId"]))],
    );
    expect(writeFailures(findings, { allowRemoval: true }).map((f) => f.kind)).to.deep.equal(["breaking"]);
  });

  it("says what broke and what to do", () => {
    const [finding] = contractFindings(
      [contract(1)],
      [contract(1, schema({ customerId: { type: "string" } }, ["orderId", "customerId"]))],
    );
    expect(finding.message).to.equal(
      '"order-created" version 1 has breaking changes:\n' +
        "    - detail.customerId: new required field; events without it are rejected\n" +
        "  Make it compatible, or bump the schema's version (2) and run `npm run catalog`",
    );
    expect(finding.changes.map((c) => c.kind)).to.deep.equal(["field-added-required"]);
  });
});
