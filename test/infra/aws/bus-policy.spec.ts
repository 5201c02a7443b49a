/**
 * The bus policy: only the stack's API role and processor roles may put events, each only with its own source.
 * Checked on the graph's documents with a small evaluator of the IAM rules they use (explicit deny wins; an
 * allow from the identity policy is needed; condition operators as IAM defines them).
 */
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { API_SOURCE, processorSource } from "../../../infra/table";
import { BUS_POLICY_MAX_CHARS, busPolicy } from "../../../infra/aws";
import { programFor, type PolicyDocument, type PolicyStatement, type Program } from "./harness/program";
import { ACCOUNT } from "./harness/mock-state";
import { T } from "./harness/types";

/** One PutEvents call: who calls, and the sources of its entries. */
interface Request {
  readonly principalArn: string;
  readonly sources: readonly string[];
}

const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const globMatch = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(value);

/** Whether one condition operator holds; the operators these documents use, and nothing else. */
function conditionHolds(operator: string, key: string, expected: string[], request: Request): boolean {
  const values =
    key === "aws:PrincipalArn" ? [request.principalArn] : key === "events:source" ? request.sources : [];
  switch (operator) {
    case "ArnEquals":
      return values.some((v) => expected.some((e) => globMatch(e, v)));
    case "ArnNotEquals":
      return values.every((v) => !expected.some((e) => globMatch(e, v)));
    case "StringEquals":
      return values.length > 0 && values.every((v) => expected.includes(v));
    case "ForAllValues:StringEquals":
      return values.every((v) => expected.includes(v));
    case "ForAnyValue:StringNotEquals":
      return values.some((v) => !expected.includes(v));
    default:
      throw new Error(`condition operator not emulated: ${operator}`);
  }
}

function applies(statement: PolicyStatement, busArn: string, request: Request): boolean {
  const actions = asList(statement.Action as string | string[]);
  if (!actions.some((a) => globMatch(a, "events:PutEvents"))) return false;
  if (!asList(statement.Resource).some((r) => globMatch(r, busArn))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, byKey]) =>
    Object.entries(byKey).every(([key, expected]) =>
      conditionHolds(operator, key, asList(expected), request),
    ),
  );
}

/** IAM's verdict for a same-account caller: any applicable Deny wins, else an applicable Allow is needed. */
function mayPut(documents: PolicyDocument[], busArn: string, request: Request): boolean {
  const statements = documents.flatMap((d) => d.Statement).filter((s) => applies(s, busArn, request));
  if (statements.some((s) => s.Effect === "Deny")) return false;
  return statements.some((s) => s.Effect === "Allow");
}

describe("cloud stack: the bus policy", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  let busArn: string;
  let busPolicyDocument: PolicyDocument;
  before(async () => {
    program = await programFor();
    expect(program.error, program.error?.message).to.equal(undefined);
    busArn = program.findResource(T.bus, "backbone").state.arn;
    const policy = program.findResource(T.busPolicy, "backbone");
    expect(policy.inputs.eventBusName).to.equal(program.findResource(T.bus, "backbone").state.name);
    busPolicyDocument = JSON.parse(policy.inputs.policy);
  });

  /** The role's own inline policy plus the bus policy. */
  const documentsFor = (rolePolicyName: string): PolicyDocument[] => [
    JSON.parse(program.findResource(T.rolePolicy, rolePolicyName).inputs.policy),
    busPolicyDocument,
  ];
  const roleArn = (name: string) => program.findResource(T.role, name).state.arn;
  /** An administrator of the account: its identity policy allows every action on every resource. */
  const admin: PolicyDocument = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

  it("fits EventBridge's policy size quota and pins each producer's source", () => {
    expect(program.findResource(T.busPolicy, "backbone").inputs.policy.length).to.be.at.most(
      BUS_POLICY_MAX_CHARS,
    );
    // One statement for foreign principals, one per producer (the API and every route).
    expect(busPolicyDocument.Statement).to.have.length(1 + 1 + routes.length);
    expect(program.logs).to.deep.equal([]);
  });

  const cases: {
    title: string;
    request: () => Request;
    documents: () => PolicyDocument[];
    allowed: boolean;
  }[] = [
    {
      title: "the API role, with the API's source",
      request: () => ({ principalArn: roleArn("ingress-put-events"), sources: [API_SOURCE] }),
      documents: () => documentsFor("ingress-put-events"),
      allowed: true,
    },
    {
      title: "the API role, with a processor's source",
      request: () => ({ principalArn: roleArn("ingress-put-events"), sources: [processorSource("order")] }),
      documents: () => documentsFor("ingress-put-events"),
      allowed: false,
    },
    ...routes.flatMap((row) => [
      {
        title: `route ${row.key}'s role, with its own source`,
        request: () => ({
          principalArn: roleArn(`${row.key}-fn`),
          sources: [processorSource(row.processor.name)],
        }),
        documents: () => documentsFor(`${row.key}-fn`),
        allowed: true,
      },
      {
        title: `route ${row.key}'s role, pretending to be the API`,
        request: () => ({ principalArn: roleArn(`${row.key}-fn`), sources: [API_SOURCE] }),
        documents: () => documentsFor(`${row.key}-fn`),
        allowed: false,
      },
    ]),
    {
      title: "a processor role with its own source and another in one batch",
      request: () => ({
        principalArn: roleArn("order-created-fn"),
        sources: [processorSource("order"), processorSource("user")],
      }),
      documents: () => documentsFor("order-created-fn"),
      allowed: false,
    },
    {
      title: "an account administrator, with the API's source",
      request: () => ({ principalArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, sources: [API_SOURCE] }),
      documents: () => [admin, busPolicyDocument],
      allowed: false,
    },
  ];
  for (const c of cases) {
    it(`${c.allowed ? "lets" : "refuses"} ${c.title}`, () => {
      expect(mayPut(c.documents(), busArn, c.request())).to.equal(c.allowed);
    });
  }

  it("the evaluator itself: without the bus policy, the administrator could put anything", () => {
    expect(
      mayPut([admin], busArn, { principalArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, sources: ["x"] }),
    ).to.equal(true);
  });

  it("too many producers for the quota: keeps foreign principals out, sources left to the roles' policies", () => {
    const producers = Array.from({ length: 60 }, (_, i) => ({
      roleArn: `arn:aws:iam::${ACCOUNT}:role/event-backbone-dev-route-${i}-ap-southeast-2`,
      source: `backbone.p${i}`,
    }));
    const { document, perSource } = busPolicy(busArn, producers);
    expect(perSource).to.equal(false);
    expect(JSON.stringify(document).length).to.be.at.most(BUS_POLICY_MAX_CHARS);
    const foreign = { principalArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, sources: ["backbone.p1"] };
    expect(mayPut([admin, document as PolicyDocument], busArn, foreign)).to.equal(false);
    expect(busPolicy(busArn, producers.slice(0, 7)).perSource).to.equal(true);
  });
});
