/**
 * Names that cannot fail half-way: every physical name in the graph comes from the naming module and follows
 * AWS's rule for its kind, for the dev stack and for a stack named `team.prod`.
 */
import { expect } from "chai";
import { checkName, type NameKind } from "../../../infra/table";
import { STACK } from "./harness/mock-state";
import { programFor, type Program } from "./harness/program";
import { T } from "./harness/types";

/** Where each named resource type keeps its physical name, and which rule applies. */
const NAMED: { type: string; field: string; kind: NameKind }[] = [
  { type: T.fn, field: "name", kind: "function" },
  { type: T.rule, field: "name", kind: "rule" },
  { type: T.queue, field: "name", kind: "queue" },
  { type: T.archive, field: "name", kind: "archive" },
  { type: T.bus, field: "name", kind: "bus" },
  { type: T.dashboard, field: "dashboardName", kind: "dashboard" },
  { type: T.alarm, field: "name", kind: "alarm" },
  { type: T.logGroup, field: "name", kind: "logGroup" },
  { type: T.topic, field: "name", kind: "topic" },
  { type: T.table, field: "name", kind: "table" },
  { type: T.api, field: "name", kind: "apiName" },
  { type: T.usagePlan, field: "name", kind: "apiName" },
  { type: T.apiKey, field: "name", kind: "apiName" },
];

describe("cloud stack: every physical name follows AWS's rules", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let runs: [string, Program][];
  before(async () => {
    const stacks = ["dev", "team.prod"];
    // The dev stack is the harness's default stack: its run is the one the other specs share.
    const runOf = (stack: string) => programFor(stack === STACK ? {} : { stack });
    runs = (await Promise.all(stacks.map(runOf))).map((p, i) => [stacks[i], p]);
    for (const [stack, p] of runs) expect(p.error, `${stack}: ${p.error?.message}`).to.equal(undefined);
  });

  it("a stack named team.prod builds (its Lambda names were invalid before)", () => {
    const [, dotted] = runs[1];
    const fn = dotted.findResource(T.fn, "order-created").inputs.name;
    expect(fn).to.match(/^event-backbone-team-prod-[0-9a-f]{4}-order-created$/);
  });

  it("names every resource of a named kind explicitly, within its rule, each name once", () => {
    for (const [stack, program] of runs) {
      let checked = 0;
      for (const { type, field, kind } of NAMED) {
        const seen = new Set<string>();
        for (const resource of program.resourcesOf(type)) {
          const name = resource.inputs[field];
          expect(name, `${stack}: ${type} ${resource.name} has no explicit ${field}`).to.be.a("string");
          expect(checkName(kind, name), `${stack}: ${type} ${resource.name}`).to.equal(undefined);
          expect(seen.has(name), `${stack}: ${name} used twice`).to.equal(false);
          seen.add(name);
          checked++;
        }
      }
      expect(checked, stack).to.be.greaterThan(80);
    }
  });

  it("roles are named within IAM's rules (by name, or by prefix when they outlive the stack)", () => {
    for (const [stack, program] of runs) {
      for (const role of program.resourcesOf(T.role)) {
        const problem =
          role.inputs.name !== undefined
            ? checkName("role", role.inputs.name)
            : checkName("rolePrefix", role.inputs.namePrefix);
        expect(problem, `${stack}: ${role.name}`).to.equal(undefined);
      }
    }
  });

  it("two stacks never share a global name (IAM roles and dashboards are account-wide)", () => {
    const globalNames = (p: Program) => [
      ...p.resourcesOf(T.role).map((r) => r.inputs.name ?? r.inputs.namePrefix),
      ...p.resourcesOf(T.dashboard).map((r) => r.inputs.dashboardName),
    ];
    const [a, b] = runs.map(([, p]) => new Set(globalNames(p)));
    expect([...a].filter((n) => b.has(n))).to.deep.equal([]);
  });
});
