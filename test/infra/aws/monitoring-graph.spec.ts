import { T } from "./harness/types";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { defaultAndConfigured, type Program } from "./harness/program";
import { STACK } from "./harness/mock-state";

describe("cloud stack: bus, monitoring and outputs", function () {
  // Each program run is a child Node process (~5 s; more when the suite shares the cores).
  this.timeout(180_000);
  let program: Program;
  let configured: Program;
  before(async () => {
    [program, configured] = await defaultAndConfigured();
  });

  describe("bus and idempotency table", () => {
    it("uses a custom bus with an archive whose retention comes from config", () => {
      const bus = program.findResource(T.bus, "backbone");
      // A fixed name per stack, so producers outside the stack can address it.
      expect(bus.inputs.name).to.equal(`backbone-${STACK}`);
      const archive = program.findResource(T.archive, "backbone-archive");
      expect(archive.inputs).to.include({ eventSourceArn: bus.state.arn, retentionDays: 7 });
      expect(configured.findResource(T.archive, "backbone-archive").inputs.retentionDays).to.equal(90);
    });

    it("keeps idempotency records in an on-demand table keyed by id with TTL expiresAt", () => {
      const table = program.findResource(T.table, "idempotency");
      expect(table.inputs).to.include({ billingMode: "PAY_PER_REQUEST", hashKey: "id" });
      expect(table.inputs.attributes).to.deep.equal([{ name: "id", type: "S" }]);
      expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    });
  });

  describe("monitoring", () => {
    it("alarms on API 5xx to the alarm topic", () => {
      const alarm = program.findResource(T.alarm, "backbone-api-5xx");
      expect(alarm.inputs).to.include({ namespace: "AWS/ApiGateway", metricName: "5XXError", threshold: 0 });
      expect(alarm.inputs.dimensions).to.deep.equal({
        ApiName: program.findResource(T.api, "ingress").state.name,
        Stage: "v1",
      });
      expect(alarm.inputs.alarmActions).to.deep.equal([
        program.findResource(T.topic, "backbone-alarms").state.arn,
      ]);
    });

    it("subscribes the alarm e-mail only when configured", () => {
      expect(program.resourcesOf(T.subscription)).to.have.length(0);
      const subscription = configured.findResource(T.subscription, "backbone-alarm-email");
      expect(subscription.inputs).to.include({
        protocol: "email",
        endpoint: "ops@example.com",
        topic: configured.findResource(T.topic, "backbone-alarms").state.arn,
      });
    });

    it("generates the dashboard from the table: API metrics plus every route's rule, Lambda and queues", () => {
      const body = JSON.parse(program.findResource(T.dashboard, "backbone-dashboard").inputs.dashboardBody);
      const metrics: string[][] = body.widgets.flatMap(
        (w: { properties: { metrics?: string[][] } }) => w.properties.metrics ?? [],
      );
      const has = (...parts: string[]) =>
        metrics.some((m) => parts.every((part, i) => (i < 2 ? m[i] === part : m.includes(part))));
      for (const name of ["Count", "4XXError", "5XXError", "Latency"]) {
        expect(has("AWS/ApiGateway", name, program.findResource(T.api, "ingress").state.name), name).to.equal(
          true,
        );
      }
      for (const row of routes) {
        const ruleName = program.findResource(T.rule, row.key).state.name;
        const fnName = program.findResource(T.fn, row.key).state.name;
        const dlqName = program.findResource(T.queue, `${row.key}-dlq`).state.name;
        const failedName = program.findResource(T.queue, `${row.key}-failed`).state.name;
        expect(has("AWS/Events", "Invocations", ruleName), row.key).to.equal(true);
        expect(has("AWS/Events", "FailedInvocations", ruleName), row.key).to.equal(true);
        for (const name of ["Errors", "Duration", "Throttles"]) {
          expect(has("AWS/Lambda", name, fnName), `${row.key} ${name}`).to.equal(true);
        }
        expect(has("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlqName), row.key).to.equal(true);
        expect(has("AWS/SQS", "ApproximateNumberOfMessagesVisible", failedName), row.key).to.equal(true);
      }
    });
  });

  describe("stack outputs", () => {
    it("exports the full POST URL, the bus, per-route queues and the dashboard URL", () => {
      const { outputs } = program;
      expect(outputs.apiUrl).to.equal(
        "https://ingress0api.execute-api.ap-southeast-2.amazonaws.com/v1/events",
      );
      expect(outputs.busName).to.equal(program.findResource(T.bus, "backbone").state.name);
      expect(outputs.busArn).to.equal(program.findResource(T.bus, "backbone").state.arn);
      expect(Object.keys(outputs.dlqUrls)).to.deep.equal(routes.map((r) => r.key));
      for (const row of routes) {
        expect(outputs.dlqUrls[row.key]).to.equal(program.findResource(T.queue, `${row.key}-dlq`).state.url);
        expect(outputs.failureQueueUrls[row.key]).to.equal(
          program.findResource(T.queue, `${row.key}-failed`).state.url,
        );
      }
      const dashboardName = program.findResource(T.dashboard, "backbone-dashboard").inputs.dashboardName;
      expect(outputs.dashboardUrl).to.equal(
        `https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#dashboards:name=${dashboardName}`,
      );
    });
  });
});
