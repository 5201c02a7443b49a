/** The bus, its archive, the alarms, the dashboards and the stack outputs. */
import { T } from "./harness/types";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { API_SOURCE } from "../../../infra/table";
import { ALARM_THRESHOLDS, dashboardPages, MAX_DASHBOARD_WIDGETS } from "../../../infra/aws";
import { defaultAndConfigured, programFor, type DeclaredResource, type Program } from "./harness/program";
import { ROUTE_COUNT, routeKey } from "./fixtures/monitoring-many-routes";

type MetricLine = (string | Record<string, unknown>)[];

/** Every metric line of a dashboard body (`[namespace, name, dim, value, ..., {rendering}]`). */
function dashboardMetrics(dashboard: DeclaredResource): MetricLine[] {
  const body = JSON.parse(dashboard.inputs.dashboardBody);
  return body.widgets.flatMap((w: { properties: { metrics?: MetricLine[] } }) => w.properties.metrics ?? []);
}

/** The dimensions of a dashboard metric line, as an object. */
function dimensionsOf(line: MetricLine): Record<string, string> {
  const parts = line.slice(2).filter((p): p is string => typeof p === "string");
  const dims: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) dims[parts[i]] = parts[i + 1];
  return dims;
}

describe("cloud stack: bus, monitoring and outputs", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  let configured: Program;
  before(async () => {
    [program, configured] = await defaultAndConfigured();
  });

  describe("bus and idempotency table", () => {
    it("uses a custom bus with an archive whose retention comes from config", () => {
      const bus = program.findResource(T.bus, "backbone");
      // A fixed name per stack (names.ts), known before the stack exists.
      expect(bus.inputs.name).to.equal("event-backbone-dev");
      const archive = program.findResource(T.archive, "backbone-archive");
      expect(archive.inputs).to.include({
        name: "event-backbone-dev-api-events",
        eventSourceArn: bus.state.arn,
        retentionDays: 7,
      });
      expect(configured.findResource(T.archive, "backbone-archive").inputs.retentionDays).to.equal(90);
    });

    it("archives only what entered through the API, so a replay does not deliver follow-ups twice", () => {
      const archive = program.findResource(T.archive, "backbone-archive");
      expect(JSON.parse(archive.inputs.eventPattern)).to.deep.equal({ source: [API_SOURCE] });
      // Every follow-up a processor emits has its own source, which the pattern leaves out.
      for (const row of routes) expect(`backbone.${row.processor.name}`).to.not.equal(API_SOURCE);
      expect(program.outputs.archiveArn).to.equal(archive.state.arn);
      expect(program.outputs.archiveArn).to.equal(
        "arn:aws:events:ap-southeast-2:123456789012:archive/event-backbone-dev-api-events",
      );
      expect(program.outputs.archiveName).to.equal("event-backbone-dev-api-events");
    });

    it("keeps idempotency records in an on-demand table keyed by id with TTL expiresAt", () => {
      const table = program.findResource(T.table, "idempotency");
      expect(table.inputs).to.include({ billingMode: "PAY_PER_REQUEST", hashKey: "id" });
      expect(table.inputs.attributes).to.deep.equal([{ name: "id", type: "S" }]);
      expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    });
  });

  describe("monitoring", () => {
    it("alarms on the API's 4xx rate and 429 rate (from the access log) next to its 5xx", () => {
      const topicArn = program.findResource(T.topic, "backbone-alarms").state.arn;
      const api = { ApiName: program.findResource(T.api, "ingress").state.name, Stage: "v1" };
      const rate4xx = program.findResource(T.alarm, "backbone-api-4xx-rate").inputs;
      expect(rate4xx).to.deep.include({
        namespace: "AWS/ApiGateway",
        metricName: "4XXError",
        statistic: "Average",
        dimensions: api,
        period: 300,
        threshold: ALARM_THRESHOLDS.api4xxRate,
        alarmActions: [topicArn],
      });
      const filter = program.findResource(T.metricFilter, "backbone-api-429").inputs;
      expect(filter.logGroupName).to.equal(program.findResource(T.logGroup, "ingress-access").inputs.name);
      expect(filter.pattern).to.equal('{ $.status = "429" }');
      expect(filter.metricTransformation).to.deep.equal({
        name: "Api429",
        namespace: "EventBackbone/event-backbone-dev",
        value: "1",
        defaultValue: "0",
      });
      const rate429 = program.findResource(T.alarm, "backbone-api-429-rate").inputs;
      expect(rate429).to.deep.include({
        namespace: "EventBackbone/event-backbone-dev",
        metricName: "Api429",
        statistic: "Average",
        threshold: ALARM_THRESHOLDS.api429Rate,
        period: 300,
      });
      // The filter reads the access log's `status` field.
      expect(
        JSON.parse(program.findResource(T.stage, "ingress").inputs.accessLogSettings.format),
      ).to.have.property("status", "$context.status");
    });

    it("builds every EventBridge metric with EventBusName and RuleName (RuleName alone means the default bus)", () => {
      const busName = program.findResource(T.bus, "backbone").state.name;
      const ruleNames = new Set(program.resourcesOf(T.rule).map((r) => r.state.name));
      const alarms = program.resourcesOf(T.alarm).filter((a) => a.inputs.namespace === "AWS/Events");
      expect(alarms).to.have.length(routes.length * 2);
      for (const alarm of alarms) {
        expect(Object.keys(alarm.inputs.dimensions).sort(), alarm.name).to.deep.equal([
          "EventBusName",
          "RuleName",
        ]);
        expect(alarm.inputs.dimensions.EventBusName, alarm.name).to.equal(busName);
        expect(ruleNames.has(alarm.inputs.dimensions.RuleName), alarm.name).to.equal(true);
      }
      const lines = dashboardMetrics(program.findResource(T.dashboard, "backbone-dashboard")).filter(
        (m) => m[0] === "AWS/Events",
      );
      expect(lines).to.have.length(routes.length * 3);
      for (const line of lines) {
        expect(dimensionsOf(line), String(line[1])).to.deep.equal({
          EventBusName: busName,
          RuleName: dimensionsOf(line).RuleName,
        });
        expect(ruleNames.has(dimensionsOf(line).RuleName)).to.equal(true);
      }
    });

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
      const metrics = dashboardMetrics(program.findResource(T.dashboard, "backbone-dashboard"));
      const has = (...parts: string[]) =>
        metrics.some((m) => parts.every((part, i) => (i < 2 ? m[i] === part : m.includes(part))));
      expect(has("EventBackbone/event-backbone-dev", "Api429")).to.equal(true);
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
        expect(has("AWS/Events", "InvocationsFailedToBeSentToDlq", ruleName), row.key).to.equal(true);
        for (const name of ["Errors", "Duration", "Throttles", "DestinationDeliveryFailures"]) {
          expect(has("AWS/Lambda", name, fnName), `${row.key} ${name}`).to.equal(true);
        }
        expect(has("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlqName), row.key).to.equal(true);
        expect(has("AWS/SQS", "ApproximateNumberOfMessagesVisible", failedName), row.key).to.equal(true);
        expect(has("AWS/SQS", "ApproximateAgeOfOldestMessage", dlqName), row.key).to.equal(true);
        expect(has("AWS/SQS", "ApproximateAgeOfOldestMessage", failedName), row.key).to.equal(true);
      }
    });
  });

  describe("a table of 84 routes (awsx refuses > 100 top-level widgets; CloudWatch > 500 per dashboard)", () => {
    let many: Program;
    before(async () => {
      many = await programFor({ table: "test/infra/aws/fixtures/monitoring-many-routes.ts" });
      expect(many.error, many.error?.message).to.equal(undefined);
    });

    it("splits the routes over dashboards of at most 500 widgets, each route on exactly one", () => {
      const dashboards = many.resourcesOf(T.dashboard);
      expect(dashboards.map((d) => d.inputs.dashboardName)).to.deep.equal([
        "event-backbone-dev-ap-southeast-2",
        "event-backbone-dev-ap-southeast-2-2",
      ]);
      const shown = new Map<string, number>();
      for (const dashboard of dashboards) {
        const body = JSON.parse(dashboard.inputs.dashboardBody);
        expect(body.widgets.length, dashboard.name).to.be.at.most(MAX_DASHBOARD_WIDGETS);
        for (const w of body.widgets as { properties: { markdown?: string } }[]) {
          const key = /^## Route `(.+)`$/.exec(w.properties.markdown ?? "")?.[1];
          if (key) shown.set(key, (shown.get(key) ?? 0) + 1);
        }
      }
      expect(shown.size).to.equal(ROUTE_COUNT);
      for (let i = 0; i < ROUTE_COUNT; i++) expect(shown.get(routeKey(i)), routeKey(i)).to.equal(1);
      expect(many.outputs.dashboardUrls).to.have.length(2);
      expect(many.outputs.dashboardUrl).to.equal(many.outputs.dashboardUrls[0]);
    });

    it("still alarms on every route", () => {
      expect(many.resourcesOf(T.alarm)).to.have.length(ROUTE_COUNT * 8 + 3);
    });

    it("pages fill up to the cap and no further", () => {
      // API section 5 widgets, a route 6: 5 + 82 * 6 = 497 fits, an 83rd route would make 503.
      expect(dashboardPages(82, 5, 6).map((p) => p.length)).to.deep.equal([82]);
      expect(dashboardPages(83, 5, 6).map((p) => p.length)).to.deep.equal([82, 1]);
      expect(dashboardPages(0, 5, 6)).to.deep.equal([[]]);
      expect(() => dashboardPages(1, 5, 600)).to.throw(/cannot fit/);
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
      expect(outputs.dashboardUrls).to.deep.equal([outputs.dashboardUrl]);
    });
  });
});
