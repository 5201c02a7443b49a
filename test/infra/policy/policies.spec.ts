/**
 * The policy pack (`infra/policy`): every policy passes on the stack as built, and each fails on a
 * deliberately bad resource or graph. The validations run on the mocked graph as the analyzer would call them.
 */
import { expect } from "chai";
import { POSTURE_POLICIES } from "../../../infra/policy/policies";
import { CONFIGURED, Program, programFor, type DeclaredResource } from "../aws/harness/program";
import { T } from "../aws/harness/types";
import { runPolicies } from "./harness";

/** `program` with `extra` added at the stack root. */
function withResources(program: Program, ...extra: Partial<DeclaredResource>[]): Program {
  const added = extra.map(
    (r, i) => ({ custom: true, name: `bad-${i}`, state: r.inputs, ...r }) as DeclaredResource,
  );
  return new Program([...program.resources, ...added], program.outputs);
}

/** `program` without the resources `drop` selects. */
function without(program: Program, drop: (r: DeclaredResource) => boolean): Program {
  return new Program(
    program.resources.filter((r) => !drop(r)),
    program.outputs,
  );
}

const document = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

describe("policy pack: the stack's posture", function () {
  // Each program run is a child Node process (~10 s; more when the suite shares the cores).
  this.timeout(180_000);
  let program: Program;
  let iam: Program;
  before(async () => {
    [program, iam] = await Promise.all([programFor(), programFor(CONFIGURED)]);
    for (const p of [program, iam]) expect(p.error, p.error?.message).to.equal(undefined);
  });

  it("has the posture rules the issue lists, each with a unique name, all mandatory", () => {
    expect(POSTURE_POLICIES.map((p) => p.name)).to.deep.equal([
      "no-open-ingress",
      "no-wildcard-iam",
      "encrypted-queues",
      "lambda-arm64",
      "tracing",
      "log-retention",
      "owned-log-groups",
      "alarms-on-loss-paths",
    ]);
    for (const p of POSTURE_POLICIES) expect(p.enforcementLevel, p.name).to.equal("mandatory");
  });

  it("the stack as built (default and iam auth) violates none, and every policy applied to something", async () => {
    for (const p of [program, iam]) {
      const { violations, applied } = await runPolicies(p, POSTURE_POLICIES);
      expect(violations).to.deep.equal([]);
      for (const policy of POSTURE_POLICIES) expect(applied[policy.name], policy.name).to.be.greaterThan(0);
    }
  });

  it("auth none: the open method is reported", async () => {
    const open = await programFor({ config: { auth: "none" } });
    const { violations } = await runPolicies(open, POSTURE_POLICIES);
    expect(violations).to.deep.equal([
      {
        policy: "no-open-ingress",
        resource: `${T.method}::ingress-post-events`,
        message: "POST is open to anyone: set auth to apiKey or iam",
      },
    ]);
  });

  const badResources: {
    title: string;
    resource: Partial<DeclaredResource>;
    policy: string;
    message: RegExp;
  }[] = [
    {
      title: "an unencrypted queue",
      resource: { type: T.queue, inputs: { name: "plain" } },
      policy: "encrypted-queues",
      message: /not encrypted/,
    },
    {
      title: "an x86_64 function",
      resource: {
        type: T.fn,
        inputs: { name: "f", architectures: ["x86_64"], tracingConfig: { mode: "Active" } },
      },
      policy: "lambda-arm64",
      message: /x86_64, not arm64/,
    },
    {
      title: "a function with no architecture (x86_64 by default)",
      resource: { type: T.fn, inputs: { name: "f", tracingConfig: { mode: "Active" } } },
      policy: "lambda-arm64",
      message: /x86_64/,
    },
    {
      title: "an untraced function",
      resource: {
        type: T.fn,
        inputs: { name: "f", architectures: ["arm64"], tracingConfig: { mode: "PassThrough" } },
      },
      policy: "tracing",
      message: /active tracing is off/,
    },
    {
      title: "an untraced stage",
      resource: { type: T.stage, inputs: { stageName: "s", restApi: "r", xrayTracingEnabled: false } },
      policy: "tracing",
      message: /X-Ray tracing is off/,
    },
    {
      title: "a log group that never expires",
      resource: { type: T.logGroup, inputs: { name: "/forever" } },
      policy: "log-retention",
      message: /\/forever never expires/,
    },
    {
      title: "a wildcard action",
      resource: {
        type: T.rolePolicy,
        inputs: { policy: document({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }) },
      },
      policy: "no-wildcard-iam",
      message: /wildcard action "s3:\*"/,
    },
    {
      title: "a wildcard resource for an action that has resource-level permissions",
      resource: {
        type: T.rolePolicy,
        inputs: { policy: document({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }) },
      },
      policy: "no-wildcard-iam",
      message: /resource "\*" for sqs:SendMessage/,
    },
    {
      title: "logging actions on * outside the API Gateway account component",
      resource: {
        type: T.rolePolicy,
        inputs: { policy: document({ Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: "*" }) },
      },
      policy: "no-wildcard-iam",
      message: /resource "\*" for logs:PutLogEvents/,
    },
    {
      title: "a wildcard in a managed policy",
      resource: {
        type: T.policy,
        inputs: { policy: document({ Effect: "Allow", Action: "*", Resource: "*" }) },
      },
      policy: "no-wildcard-iam",
      message: /wildcard action "\*"/,
    },
    {
      title: "an open method",
      resource: {
        type: T.method,
        inputs: { httpMethod: "GET", authorization: "NONE", apiKeyRequired: false },
      },
      policy: "no-open-ingress",
      message: /GET is open to anyone/,
    },
  ];
  for (const c of badResources) {
    it(`reports ${c.title} (${c.policy})`, async () => {
      const { violations } = await runPolicies(withResources(program, c.resource), POSTURE_POLICIES);
      const mine = violations.filter((v) => v.resource === `${c.resource.type}::bad-0`);
      expect(mine.map((v) => v.policy)).to.include(c.policy);
      expect(mine.find((v) => v.policy === c.policy)!.message).to.match(c.message);
    });
  }

  const badGraphs: { title: string; change: (p: Program) => Program; policy: string; message: RegExp }[] = [
    {
      title: "a DLQ without its not-empty alarm",
      change: (p) => without(p, (r) => r.type === T.alarm && r.name === "order-created-dlq-not-empty"),
      policy: "alarms-on-loss-paths",
      message:
        /no alarm on AWS\/SQS ApproximateNumberOfMessagesVisible for event-backbone-dev-order-created-dlq/,
    },
    {
      title: "a rule without its InvocationsFailedToBeSentToDlq alarm",
      change: (p) =>
        without(p, (r) => r.type === T.alarm && r.name === "user-registered-invocations-failed-to-dlq"),
      policy: "alarms-on-loss-paths",
      message: /InvocationsFailedToBeSentToDlq for event-backbone-dev\/event-backbone-dev-user-registered/,
    },
    {
      title: "a function without its DestinationDeliveryFailures alarm",
      change: (p) =>
        without(p, (r) => r.type === T.alarm && r.name === "support-ticket-destination-delivery-failures"),
      policy: "alarms-on-loss-paths",
      message: /DestinationDeliveryFailures for event-backbone-dev-support-ticket/,
    },
    {
      title: "a function without an on-failure destination",
      change: (p) => without(p, (r) => r.type === T.invokeConfig && r.name === "analytics-event"),
      policy: "alarms-on-loss-paths",
      message: /event-backbone-dev-analytics-event has no on-failure destination/,
    },
    {
      title: "a function whose log group the stack does not own",
      change: (p) => without(p, (r) => r.type === T.logGroup && r.name === "order-created-logs"),
      policy: "owned-log-groups",
      message: /logs to \/aws\/lambda\/event-backbone-dev-order-created, which the stack does not own/,
    },
    {
      title: "a stage whose execution log group API Gateway would create",
      change: (p) => without(p, (r) => r.type === T.logGroup && r.name === "ingress-execution"),
      policy: "owned-log-groups",
      message: /API-Gateway-Execution-Logs_ingress0api\/v1/,
    },
  ];
  for (const c of badGraphs) {
    it(`reports ${c.title} (${c.policy})`, async () => {
      const { violations } = await runPolicies(c.change(program), POSTURE_POLICIES);
      expect(violations.map((v) => v.policy)).to.deep.equal([c.policy]);
      expect(violations[0].message).to.match(c.message);
    });
  }

  it("every policy is shown failing by at least one case above", () => {
    const shown = new Set([...badResources, ...badGraphs].map((c) => c.policy));
    expect([...shown].sort()).to.deep.equal(POSTURE_POLICIES.map((p) => p.name).sort());
  });
});
