/**
 * The stack outputs the `backbone` CLI runs against AWS with (`infra/cli/outputs.ts`): the archive and, per
 * route, its rule, function, log group and both queues, each the declared resource's own value, and accepted
 * as they are by the CLI's check (so a deployed stack's `pulumi stack output --json` is what `--stack` needs).
 */
import { expect } from "chai";
import { checkOutputs, ROUTE_RESOURCE_FIELDS } from "../../../infra/cli";
import { routes } from "../../../infra/routes";
import { programFor, type Program } from "./harness/program";
import { T } from "./harness/types";

describe("cloud stack: the outputs the backbone CLI reads", function () {
  // One program run in the runner process (shared with the other graph specs).
  this.timeout(180_000);
  let program: Program;
  before(async () => {
    program = await programFor();
    expect(program.error, program.error?.message).to.equal(undefined);
  });

  it("exports the archive's ARN", () => {
    expect(program.outputs.archiveArn).to.equal(
      program.findResource(T.archive, "backbone-archive").state.arn,
    );
  });

  it("exports, per route key, the rule, function, log group and both queues of that route", () => {
    const { routeResources } = program.outputs;
    expect(Object.keys(routeResources)).to.deep.equal(routes.map((r) => r.key));
    for (const { key } of routes) {
      const rule = program.findResource(T.rule, key).state;
      const dlq = program.findResource(T.queue, `${key}-dlq`).state;
      const failed = program.findResource(T.queue, `${key}-failed`).state;
      expect(routeResources[key], key).to.deep.equal({
        ruleName: rule.name,
        ruleArn: rule.arn,
        functionName: program.findResource(T.fn, key).state.name,
        logGroupName: program.findResource(T.logGroup, `${key}-logs`).state.name,
        dlqUrl: dlq.url,
        dlqArn: dlq.arn,
        failureQueueUrl: failed.url,
        failureQueueArn: failed.arn,
      });
      expect(Object.keys(routeResources[key])).to.have.members([...ROUTE_RESOURCE_FIELDS]);
    }
  });

  it("are what the CLI's check accepts, with no output missing", () => {
    const outputs = JSON.parse(JSON.stringify(program.outputs));
    expect(() => checkOutputs(outputs, "the mocked stack")).to.not.throw();
    // Lambda's own log group of the function: where its processor's lines are.
    const order = checkOutputs(outputs, "the mocked stack").routeResources["order-created"];
    expect(order.logGroupName).to.equal(`/aws/lambda/${order.functionName}`);
  });
});
