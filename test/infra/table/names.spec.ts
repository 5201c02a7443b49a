/**
 * The naming module: every physical name follows AWS's rules for any stack and project name Pulumi accepts,
 * stays unique, and the check reports a broken rule naming the stack and the rule.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  checkName,
  checkNames,
  derivedNames,
  NAME_RULES,
  ROUTE_KEY_FORMAT,
  stackArns,
  stackNames,
  type NameKind,
  type StackNames,
} from "../../../infra/table";
import { routes } from "../../../infra/routes";

const DEV = { project: "event-backbone", stack: "dev", region: "ap-southeast-2", account: "123456789012" };
const keys = routes.map((r) => r.key);

/** Every name `names` derives, plus a second dashboard page and another alarm suffix. */
function allNames(names: StackNames, routeKeys: readonly string[]): [NameKind, string][] {
  return [
    ...derivedNames(names, routeKeys),
    ["dashboard", names.dashboard(2)],
    ["alarm", names.alarm("api-429-rate")],
  ];
}

describe("infra/table names", () => {
  it("derives readable names for the dev stack", () => {
    const names = stackNames(DEV);
    expect(names.prefix).to.equal("event-backbone-dev");
    expect(names.bus).to.equal("event-backbone-dev");
    expect(names.archive).to.equal("event-backbone-dev-api-events");
    expect(names.dashboard(1)).to.equal("event-backbone-dev-ap-southeast-2");
    expect(names.dashboard(2)).to.equal("event-backbone-dev-ap-southeast-2-2");
    expect(names.route("order-created")).to.deep.include({
      function: "event-backbone-dev-order-created",
      logGroup: "/aws/lambda/event-backbone-dev-order-created",
      rule: "event-backbone-dev-order-created",
      target: "order-created",
      role: "event-backbone-dev-order-created-ap-southeast-2",
      dlq: "event-backbone-dev-order-created-dlq",
      failureQueue: "event-backbone-dev-order-created-failed",
    });
    expect(names.route("order-created").alarm("lambda-errors")).to.equal(
      "event-backbone-dev-order-created-lambda-errors",
    );
    expect(checkNames(names, keys)).to.deep.equal([]);
  });

  it("builds the ARNs AWS gives these names", () => {
    const arns = stackArns(stackNames(DEV), DEV.account);
    expect(arns.bus).to.equal("arn:aws:events:ap-southeast-2:123456789012:event-bus/event-backbone-dev");
    expect(arns.archive).to.equal(
      "arn:aws:events:ap-southeast-2:123456789012:archive/event-backbone-dev-api-events",
    );
    expect(arns.rule("order-created")).to.equal(
      "arn:aws:events:ap-southeast-2:123456789012:rule/event-backbone-dev/event-backbone-dev-order-created",
    );
    expect(arns.function("order-created")).to.equal(
      "arn:aws:lambda:ap-southeast-2:123456789012:function:event-backbone-dev-order-created",
    );
    expect(arns.role("order-created")).to.equal(
      "arn:aws:iam::123456789012:role/event-backbone-dev-order-created-ap-southeast-2",
    );
    expect(arns.dlq("order-created")).to.equal(
      "arn:aws:sqs:ap-southeast-2:123456789012:event-backbone-dev-order-created-dlq",
    );
    expect(arns.replay("redo-1")).to.equal("arn:aws:events:ap-southeast-2:123456789012:replay/redo-1");
    expect(arns.logGroup("/aws/lambda/x")).to.equal(
      "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/x",
    );
  });

  it("a stack named team.prod gets valid names, distinct from team-prod's", () => {
    const dotted = stackNames({ ...DEV, stack: "team.prod" });
    const dashed = stackNames({ ...DEV, stack: "team-prod" });
    expect(dotted.prefix).to.match(/^event-backbone-team-prod-[0-9a-f]{4}$/);
    expect(dashed.prefix).to.equal("event-backbone-team-prod");
    expect(checkNames(dotted, keys)).to.deep.equal([]);
    for (const [kind, name] of allNames(dotted, keys))
      expect(checkName(kind, name), name).to.equal(undefined);
    expect(dotted.route("order-created").function).to.not.equal(dashed.route("order-created").function);
  });

  it("shortens a name over its limit to exactly the limit, ending in a hash of the whole name", () => {
    const longKey = "a".repeat(38) + "-z";
    const names = stackNames({ ...DEV, stack: "s".repeat(40) });
    const fn = names.route(longKey).function;
    expect(fn).to.have.length(NAME_RULES.function.max);
    expect(fn).to.match(/^event-backbone-s{40}-a-[0-9a-f]{6}$/);
    expect(names.archive.length).to.be.at.most(NAME_RULES.archive.max);
    // Two keys sharing the kept head still get different names.
    const other = names.route("a".repeat(38) + "-y").function;
    expect(other).to.have.length(64);
    expect(other).to.not.equal(fn);
  });

  it("for any project and stack name Pulumi accepts and any valid keys, every name follows its rule and is unique", () => {
    const pulumiName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/);
    const routeKey = fc.stringMatching(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/);
    fc.assert(
      fc.property(
        pulumiName,
        pulumiName,
        fc.uniqueArray(routeKey, { minLength: 1, maxLength: 5 }),
        (project, stack, routeKeys) => {
          for (const key of routeKeys) expect(ROUTE_KEY_FORMAT.test(key)).to.equal(true);
          const names = stackNames({ ...DEV, project, stack });
          expect(checkNames(names, routeKeys)).to.deep.equal([]);
          const seen = new Map<string, string>();
          for (const [kind, name] of allNames(names, routeKeys)) {
            const id = `${kind}:${name}`;
            // logGroup and alarm kinds share prefixes with their function, so uniqueness is per kind.
            expect(seen.has(id), `${id} derived twice`).to.equal(false);
            seen.set(id, name);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("different stacks of one project never share a prefix", () => {
    const stacks = [
      "dev",
      "Dev",
      "team.prod",
      "team-prod",
      "team_prod",
      "team..prod",
      "x".repeat(100),
      "x".repeat(99),
    ];
    const prefixes = stacks.map((stack) => stackNames({ ...DEV, stack }).prefix);
    expect(new Set(prefixes).size).to.equal(stacks.length);
  });

  const broken: { kind: NameKind; name: string; rule: RegExp }[] = [
    {
      kind: "function",
      name: "f".repeat(65),
      rule: /Lambda function name .* 65 characters; AWS allows 1 to 64/,
    },
    { kind: "function", name: "backbone-team.prod-order", rule: /Lambda function name .* may only contain/ },
    { kind: "rule", name: "r".repeat(65), rule: /EventBridge rule name/ },
    { kind: "role", name: "r".repeat(65), rule: /IAM role name/ },
    { kind: "targetId", name: "t/1", rule: /EventBridge target id .* may only contain/ },
    { kind: "replay", name: "x".repeat(65), rule: /EventBridge replay name .* 1 to 64/ },
    { kind: "replay", name: "replay:2026", rule: /EventBridge replay name .* may only contain/ },
    { kind: "queue", name: "q".repeat(81), rule: /SQS queue name .* 1 to 80/ },
    { kind: "queue", name: "a.fifo.b", rule: /SQS queue name .* may only contain/ },
    { kind: "archive", name: "a".repeat(49), rule: /EventBridge archive name .* 1 to 48/ },
    { kind: "dashboard", name: "d".repeat(256), rule: /CloudWatch dashboard name .* 1 to 255/ },
    { kind: "dashboard", name: "team.prod", rule: /CloudWatch dashboard name .* may only contain/ },
    { kind: "table", name: "ab", rule: /DynamoDB table name .* 3 to 255/ },
  ];
  for (const c of broken) {
    it(`the check rejects a ${c.kind} name breaking the rule (${c.name.slice(0, 24)}…)`, () => {
      expect(checkName(c.kind, c.name)).to.match(c.rule);
    });
  }

  it("reports an unusable region or account naming the stack and project", () => {
    const problems = checkNames(stackNames({ ...DEV, stack: "team.prod", region: "", account: "12" }), keys);
    expect(problems.map((p) => p.kind)).to.include.members(["region", "account"]);
    for (const p of problems) expect(p.message).to.contain('stack "team.prod" of project "event-backbone"');
  });
});
