import { T } from "./harness/types";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { processorSource, ROUTE_DEFAULTS, stackNames, type RouteRow } from "../../../infra/table";
import { EXTRA_ROW } from "./fixtures/table-plus-one";
import { programFor, type Program } from "./harness/program";
import { PROJECT, REGION, STACK } from "./harness/mock-state";

/** The names the naming module gives this stack (the graph must use exactly these). */
const names = stackNames({ project: PROJECT, stack: STACK, region: REGION });

/** The resources one route row adds: the route's "set". */
const PER_ROUTE: Record<string, number> = {
  [T.route]: 1,
  [T.fn]: 1,
  [T.role]: 1,
  [T.rolePolicy]: 1,
  [T.logGroup]: 1,
  [T.rule]: 1,
  [T.target]: 1,
  [T.permission]: 1,
  [T.queue]: 2,
  [T.queuePolicy]: 1,
  [T.invokeConfig]: 1,
  [T.alarm]: 8,
};

describe("cloud stack: one set of resources per routing-table row", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  before(async () => {
    program = await programFor();
    expect(program.error, program.error?.message).to.equal(undefined);
  });

  for (const row of routes) {
    describe(`route "${row.key}"`, () => {
      const k = row.key;
      it("declares its resources inside one Route component named by the key", () => {
        program.findResource(T.route, k);
        for (const [type, name] of [
          [T.fn, k],
          [T.rule, k],
          [T.target, k],
          [T.permission, k],
          [T.invokeConfig, k],
          [T.queue, `${k}-dlq`],
          [T.queue, `${k}-failed`],
          [T.queuePolicy, `${k}-dlq`],
          [T.logGroup, `${k}-logs`],
          [T.role, `${k}-fn`],
        ]) {
          expect(program.findResource(type, name).parent, `${type} ${name}`).to.equal(`${T.route}::${k}`);
        }
      });

      it("gives every resource the physical name the naming module derives", () => {
        const expected = names.route(k);
        expect(program.findResource(T.fn, k).inputs.name).to.equal(expected.function);
        expect(program.findResource(T.rule, k).inputs.name).to.equal(expected.rule);
        expect(program.findResource(T.role, `${k}-fn`).inputs.name).to.equal(expected.role);
        expect(program.findResource(T.queue, `${k}-dlq`).inputs.name).to.equal(expected.dlq);
        expect(program.findResource(T.queue, `${k}-failed`).inputs.name).to.equal(expected.failureQueue);
        expect(program.findResource(T.logGroup, `${k}-logs`).inputs.name).to.equal(expected.logGroup);
      });

      it("has a rule on the custom bus with the row's full pattern", () => {
        const rule = program.findResource(T.rule, k);
        expect(JSON.parse(rule.inputs.eventPattern)).to.deep.equal(row.pattern);
        expect(rule.inputs.eventBusName).to.equal(program.findResource(T.bus, "backbone").state.name);
        expect(rule.inputs.eventBusName).to.not.equal("default");
      });

      it("targets its function with the row's retry policy and its DLQ", () => {
        const target = program.findResource(T.target, k);
        expect(target.inputs.rule).to.equal(program.findResource(T.rule, k).state.name);
        expect(target.inputs.eventBusName).to.equal(program.findResource(T.bus, "backbone").state.name);
        expect(target.inputs.arn).to.equal(program.findResource(T.fn, k).state.arn);
        // The route key, as the local stack's ListTargetsByRule answers.
        expect(target.inputs.targetId).to.equal(k);
        expect(target.inputs.retryPolicy).to.deep.equal({
          maximumRetryAttempts: row.retry.maximumRetryAttempts,
          maximumEventAgeInSeconds: row.retry.maximumEventAgeSeconds,
        });
        expect(target.inputs.deadLetterConfig.arn).to.equal(
          program.findResource(T.queue, `${k}-dlq`).state.arn,
        );
      });

      it("lets only its rule invoke the function", () => {
        const permission = program.findResource(T.permission, k);
        expect(permission.inputs).to.include({
          action: "lambda:InvokeFunction",
          principal: "events.amazonaws.com",
          function: program.findResource(T.fn, k).state.name,
          sourceArn: program.findResource(T.rule, k).state.arn,
        });
      });

      it("lets only its rule write to its DLQ", () => {
        const dlq = program.findResource(T.queue, `${k}-dlq`);
        const policy = program.findResource(T.queuePolicy, `${k}-dlq`);
        expect(policy.inputs.queueUrl).to.equal(dlq.state.url);
        const statements = JSON.parse(policy.inputs.policy).Statement;
        expect(statements).to.have.length(1);
        expect(statements[0]).to.deep.include({
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: dlq.state.arn,
          Condition: { ArnEquals: { "aws:SourceArn": program.findResource(T.rule, k).state.arn } },
        });
      });

      it("sends events the handler failed on to its failure queue after Lambda's async retries", () => {
        const config = program.findResource(T.invokeConfig, k);
        expect(config.inputs.functionName).to.equal(program.findResource(T.fn, k).state.name);
        expect(config.inputs.maximumRetryAttempts).to.equal(2);
        expect(config.inputs.maximumEventAgeInSeconds).to.equal(3600);
        expect(config.inputs.destinationConfig.onFailure.destination).to.equal(
          program.findResource(T.queue, `${k}-failed`).state.arn,
        );
      });

      it("runs the processor on nodejs22.x, arm64, traced, with its own role, env and the row's sizing", () => {
        const fn = program.findResource(T.fn, k);
        expect(fn.inputs.runtime).to.equal("nodejs22.x");
        expect(fn.inputs.architectures).to.deep.equal(["arm64"]);
        expect(fn.inputs.tracingConfig).to.deep.equal({ mode: "Active" });
        // No reservation unless the row asks for one (the account's shared pool).
        expect(fn.inputs.reservedConcurrentExecutions).to.equal((row as RouteRow).reservedConcurrency);
        expect(fn.inputs.role).to.equal(program.findResource(T.role, `${k}-fn`).state.arn);
        expect(fn.inputs.memorySize).to.equal(row.memoryMb ?? ROUTE_DEFAULTS.memoryMb);
        expect(fn.inputs.timeout).to.equal(row.timeoutSeconds ?? ROUTE_DEFAULTS.timeoutSeconds);
        expect(fn.inputs.environment.variables).to.deep.equal({
          EVENT_BUS_NAME: program.findResource(T.bus, "backbone").state.name,
          IDEMPOTENCY_TABLE: program.findResource(T.table, "idempotency").state.name,
        });
      });

      it("creates things in an order that works on a real account", () => {
        const fn = program.findResource(T.fn, k);
        // The role may not create log groups, and Lambda would otherwise create one without retention.
        expect(program.waitsFor(fn, T.logGroup, `${k}-logs`)).to.equal(true);
        expect(program.waitsFor(fn, T.rolePolicy, `${k}-fn`)).to.equal(true);
        // Lambda checks the role can send to the on-failure destination.
        expect(program.waitsFor(program.findResource(T.invokeConfig, k), T.rolePolicy, `${k}-fn`)).to.equal(
          true,
        );
        // Events delivered before the permission exists would fail straight into the DLQ.
        expect(program.waitsFor(program.findResource(T.target, k), T.permission, k)).to.equal(true);
      });

      it("logs to /aws/lambda/<function name> with the configured retention", () => {
        const fn = program.findResource(T.fn, k);
        const logGroup = program.findResource(T.logGroup, `${k}-logs`);
        expect(logGroup.inputs.name).to.equal(`/aws/lambda/${fn.state.name}`);
        expect(logGroup.inputs.retentionInDays).to.equal(14);
      });

      it("grants the function exactly its logs, the bus (its own source only), the table, its failure queue, X-Ray", () => {
        const policy = program.findResource(T.rolePolicy, `${k}-fn`);
        expect(policy.inputs.role).to.equal(program.findResource(T.role, `${k}-fn`).id);
        const statements = JSON.parse(policy.inputs.policy).Statement;
        const grants = statements.map((s: { Action: unknown; Resource: unknown }) => [s.Action, s.Resource]);
        expect(grants).to.deep.equal([
          [
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            `${program.findResource(T.logGroup, `${k}-logs`).state.arn}:*`,
          ],
          ["events:PutEvents", program.findResource(T.bus, "backbone").state.arn],
          [["dynamodb:GetItem", "dynamodb:PutItem"], program.findResource(T.table, "idempotency").state.arn],
          ["sqs:SendMessage", program.findResource(T.queue, `${k}-failed`).state.arn],
          [["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"],
        ]);
        const emit = statements.find((s: { Action: unknown }) => s.Action === "events:PutEvents");
        expect(emit.Condition).to.deep.equal({
          "ForAllValues:StringEquals": { "events:source": [processorSource(row.processor.name)] },
        });
      });

      it("alarms on every loss path (both queues, their oldest message, Lambda errors, the rule, lost events)", () => {
        const topicArn = program.findResource(T.topic, "backbone-alarms").state.arn;
        const expected: [string, string, Record<string, string>][] = [
          [
            `${k}-dlq-not-empty`,
            "ApproximateNumberOfMessagesVisible",
            { QueueName: program.findResource(T.queue, `${k}-dlq`).state.name },
          ],
          [
            `${k}-failed-not-empty`,
            "ApproximateNumberOfMessagesVisible",
            { QueueName: program.findResource(T.queue, `${k}-failed`).state.name },
          ],
          [`${k}-lambda-errors`, "Errors", { FunctionName: program.findResource(T.fn, k).state.name }],
          [
            `${k}-destination-delivery-failures`,
            "DestinationDeliveryFailures",
            { FunctionName: program.findResource(T.fn, k).state.name },
          ],
          ...(["FailedInvocations", "InvocationsFailedToBeSentToDlq"] as const).map(
            (metric): [string, string, Record<string, string>] => [
              metric === "FailedInvocations" ? `${k}-failed-invocations` : `${k}-invocations-failed-to-dlq`,
              metric,
              {
                EventBusName: program.findResource(T.bus, "backbone").state.name,
                RuleName: program.findResource(T.rule, k).state.name,
              },
            ],
          ),
        ];
        for (const [name, metricName, dimensions] of expected) {
          const alarm = program.findResource(T.alarm, name);
          expect(alarm.inputs.metricName, name).to.equal(metricName);
          expect(alarm.inputs.dimensions, name).to.deep.equal(dimensions);
          expect(alarm.inputs.alarmActions, name).to.deep.equal([topicArn]);
          expect(alarm.inputs.threshold, name).to.equal(0);
          expect(alarm.inputs.comparisonOperator, name).to.equal("GreaterThanThreshold");
          expect(alarm.inputs.treatMissingData, name).to.equal("notBreaching");
          expect(alarm.inputs.name, name).to.equal(names.route(k).alarm(name.slice(k.length + 1)));
        }
        // The oldest message alarms fire at half of SQS's 14-day retention, before anything expires.
        for (const [name, queue] of [
          [`${k}-dlq-oldest`, `${k}-dlq`],
          [`${k}-failed-oldest`, `${k}-failed`],
        ]) {
          const alarm = program.findResource(T.alarm, name);
          expect(alarm.inputs).to.deep.include({
            metricName: "ApproximateAgeOfOldestMessage",
            dimensions: { QueueName: program.findResource(T.queue, queue).state.name },
            threshold: 7 * 86400,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
          });
          expect(program.findResource(T.queue, queue).inputs.messageRetentionSeconds).to.equal(14 * 86400);
        }
      });
    });
  }

  // Its own run, in the test (not the hook): a `--grep` that skips it (the add-event-type copy) does not run it.
  it("a table with one more row adds exactly one more set of route resources", async () => {
    const plusOne = await programFor({ table: "test/infra/aws/fixtures/table-plus-one.ts" });
    expect(plusOne.error, plusOne.error?.message).to.equal(undefined);
    const before = program.countByType();
    const after = plusOne.countByType();
    const types = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const type of types) {
      expect((after[type] ?? 0) - (before[type] ?? 0), type).to.equal(PER_ROUTE[type] ?? 0);
    }
    const added = plusOne.resources.filter(
      (r) => !program.resources.some((p) => p.type === r.type && p.name === r.name),
    );
    expect(added.map((r) => r.name).every((name) => name.startsWith(EXTRA_ROW.key))).to.equal(true);
    const target = plusOne.findResource(T.target, EXTRA_ROW.key);
    expect(target.inputs.retryPolicy).to.deep.equal({
      maximumRetryAttempts: 4,
      maximumEventAgeInSeconds: 600,
    });
    expect(plusOne.findResource(T.fn, EXTRA_ROW.key).inputs).to.include({
      memorySize: 1024,
      timeout: 30,
      reservedConcurrentExecutions: 5,
    });
    expect(Object.keys(plusOne.outputs.dlqUrls)).to.include(EXTRA_ROW.key);
  });

  it("names every route resource after its row key, never an index", () => {
    const keys = routes.map((r) => r.key);
    const routeChildren = program.resources.filter((r) => r.parent?.startsWith(`${T.route}::`));
    // Everything in PER_ROUTE except the Route itself and its alarms (those live in the Monitoring component).
    const childrenPerRoute =
      Object.values(PER_ROUTE).reduce((a, b) => a + b) - PER_ROUTE[T.route] - PER_ROUTE[T.alarm];
    expect(routeChildren).to.have.length(routes.length * childrenPerRoute);
    for (const r of routeChildren) {
      const key = r.parent!.split("::")[1];
      expect(r.name === key || r.name.startsWith(`${key}-`), `${r.type} ${r.name}`).to.equal(true);
    }
    const routeAlarms = program.resourcesOf(T.alarm).filter((r) => !r.name.startsWith("backbone-"));
    expect(routeAlarms).to.have.length(routes.length * PER_ROUTE[T.alarm]);
    for (const r of routeAlarms) {
      expect(
        keys.some((key) => r.name.startsWith(`${key}-`)),
        r.name,
      ).to.equal(true);
    }
  });
});
