import { expect } from "chai";
import { routes } from "../../infra/routes";
import { API_SOURCE } from "../../infra/sources";
import { programFor, type Program } from "./harness/program";

const A = {
  api: "aws:apigateway/restApi:RestApi",
  resource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  response: "aws:apigateway/response:Response",
  model: "aws:apigateway/model:Model",
  validator: "aws:apigateway/requestValidator:RequestValidator",
  deployment: "aws:apigateway/deployment:Deployment",
  stage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  apiKey: "aws:apigateway/apiKey:ApiKey",
  usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  bus: "aws:cloudwatch/eventBus:EventBus",
  archive: "aws:cloudwatch/eventArchive:EventArchive",
  table: "aws:dynamodb/table:Table",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
} as const;

describe("cloud stack: ingress, bus, monitoring and outputs", () => {
  let program: Program;
  let configured: Program;
  before(async () => {
    [program, configured] = await Promise.all([
      programFor(),
      programFor({
        config: {
          apiKeyRequired: "true",
          alarmEmail: "ops@example.com",
          throttleRateLimit: "25",
          throttleBurstLimit: "50",
          logRetentionDays: "30",
          archiveRetentionDays: "90",
          stageName: "prod",
        },
      }),
    ]);
    expect(program.error, program.error?.message).to.equal(undefined);
    expect(configured.error, configured.error?.message).to.equal(undefined);
  });

  describe("POST /events", () => {
    it("is a POST method on /events, validated against the catalogue model", () => {
      const resource = program.findResource(A.resource, "ingress-events");
      expect(resource.inputs).to.include({ pathPart: "events", parentId: program.findResource(A.api, "ingress").state.rootResourceId });
      const method = program.findResource(A.method, "ingress-post-events");
      const model = program.findResource(A.model, "ingress-event");
      const validator = program.findResource(A.validator, "ingress-body");
      expect(method.inputs).to.include({ httpMethod: "POST", resourceId: resource.id, requestValidatorId: validator.id });
      expect(method.inputs.requestModels).to.deep.equal({ "application/json": model.state.name });
      expect(validator.inputs.validateRequestBody).to.equal(true);
      const schema = JSON.parse(model.inputs.schema);
      expect(schema.$schema).to.equal("http://json-schema.org/draft-04/schema#");
      const detailTypes = [...new Set(routes.map((r) => r.processor.detailType))].sort();
      expect([...schema.properties["detail-type"].enum].sort()).to.deep.equal(detailTypes);
    });

    it("integrates with events:PutEvents on the bus through the scoped role, never passing bodies through", () => {
      const integration = program.findResource(A.integration, "ingress-put-events");
      const role = program.findResource(A.role, "ingress-put-events");
      expect(integration.inputs).to.include({
        type: "AWS",
        integrationHttpMethod: "POST",
        uri: "arn:aws:apigateway:ap-southeast-2:events:action/PutEvents",
        credentials: role.state.arn,
        passthroughBehavior: "NEVER",
      });
      expect(integration.inputs.requestParameters).to.deep.equal({
        "integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'",
        "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
      });
      const template: string = integration.inputs.requestTemplates["application/json"];
      expect(template).to.contain(JSON.stringify(program.findResource(A.bus, "backbone").state.name));
      expect(template).to.contain(JSON.stringify(API_SOURCE));
    });

    it("the integration role may only put events on this bus", () => {
      const role = program.findResource(A.role, "ingress-put-events");
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({
        Service: "apigateway.amazonaws.com",
      });
      const policy = program.findResource(A.rolePolicy, "ingress-put-events");
      expect(policy.inputs.role).to.equal(role.id);
      expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([
        { Effect: "Allow", Action: "events:PutEvents", Resource: program.findResource(A.bus, "backbone").state.arn },
      ]);
    });

    it("maps PutEvents answers (success and failures) and declares every status it can answer", () => {
      const responses = program.resourcesOf(A.integrationResponse);
      expect(responses.map((r) => r.inputs.statusCode).sort()).to.deep.equal(["202", "500"]);
      expect(responses.every((r) => r.inputs.responseTemplates["application/json"])).to.equal(true);
      const methodResponses = program.resourcesOf("aws:apigateway/methodResponse:MethodResponse");
      expect(methodResponses.map((r) => r.inputs.statusCode).sort()).to.deep.equal(["202", "429", "500"]);
    });

    it("answers API Gateway's own errors as JSON with the contract's statuses", () => {
      const byType = Object.fromEntries(program.resourcesOf(A.response).map((r) => [r.inputs.responseType, r.inputs]));
      const expected: [string, string | undefined, string][] = [
        ["BAD_REQUEST_BODY", "400", "BadRequestBody"],
        ["UNSUPPORTED_MEDIA_TYPE", "415", "UnsupportedMediaType"],
        ["REQUEST_TOO_LARGE", "413", "PayloadTooLarge"],
        ["THROTTLED", "429", "TooManyRequests"],
        ["DEFAULT_4XX", undefined, "ClientError"],
        ["DEFAULT_5XX", undefined, "InternalError"],
      ];
      for (const [type, status, error] of expected) {
        expect(byType[type], type).to.not.equal(undefined);
        expect(byType[type].statusCode, type).to.equal(status);
        expect(byType[type].restApiId).to.equal(program.findResource(A.api, "ingress").id);
        expect(byType[type].responseTemplates["application/json"], type).to.contain(`"error":"${error}"`);
      }
      expect(byType.BAD_REQUEST_BODY.responseTemplates["application/json"]).to.contain("validationErrorString");
      expect(byType.THROTTLED.responseParameters).to.have.property("gatewayresponse.header.Retry-After");
    });

    it("redeploys when the API definition changes (deployment trigger hashes it)", () => {
      const hash = program.findResource(A.deployment, "ingress").inputs.triggers.definition;
      expect(hash).to.match(/^[0-9a-f]{64}$/);
      // apiKeyRequired changes the method, so the configured stack must get another deployment.
      expect(configured.findResource(A.deployment, "ingress").inputs.triggers.definition).to.not.equal(hash);
      const stage = program.findResource(A.stage, "ingress");
      expect(stage.inputs.deployment).to.equal(program.findResource(A.deployment, "ingress").id);
    });

    it("stage: tracing, JSON access logs with retention, throttling from config", () => {
      for (const [p, stageName, retention, rate, burst] of [
        [program, "v1", 14, 100, 200],
        [configured, "prod", 30, 25, 50],
      ] as const) {
        const stage = p.findResource(A.stage, "ingress");
        expect(stage.inputs).to.include({ stageName, xrayTracingEnabled: true });
        const logGroup = p.findResource(A.logGroup, "ingress-access");
        expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
        expect(JSON.parse(stage.inputs.accessLogSettings.format)).to.have.property("requestId", "$context.requestId");
        expect(logGroup.inputs.retentionInDays).to.equal(retention);
        const settings = p.findResource(A.methodSettings, "ingress");
        expect(settings.inputs).to.include({ methodPath: "*/*", stageName });
        expect(settings.inputs.settings).to.include({ throttlingRateLimit: rate, throttlingBurstLimit: burst });
      }
    });

    it("requires an API key with a usage plan only when config says so", () => {
      expect(program.findResource(A.method, "ingress-post-events").inputs.apiKeyRequired).to.equal(false);
      expect(program.resourcesOf(A.usagePlan)).to.have.length(0);
      expect(program.resourcesOf(A.apiKey)).to.have.length(0);

      expect(configured.findResource(A.method, "ingress-post-events").inputs.apiKeyRequired).to.equal(true);
      const plan = configured.findResource(A.usagePlan, "ingress");
      expect(plan.inputs.apiStages).to.deep.equal([{ apiId: configured.findResource(A.api, "ingress").id, stage: "prod" }]);
      expect(plan.inputs.throttleSettings).to.deep.equal({ rateLimit: 25, burstLimit: 50 });
      const key = configured.findResource(A.usagePlanKey, "ingress");
      expect(key.inputs).to.include({ keyId: configured.findResource(A.apiKey, "ingress").id, usagePlanId: plan.id });
      expect(configured.outputs.apiKeyId).to.equal(configured.findResource(A.apiKey, "ingress").id);
    });
  });

  describe("bus and idempotency table", () => {
    it("uses a custom bus with an archive whose retention comes from config", () => {
      const bus = program.findResource(A.bus, "backbone");
      expect(bus.state.name).to.not.equal("default");
      const archive = program.findResource(A.archive, "backbone-archive");
      expect(archive.inputs).to.include({ eventSourceArn: bus.state.arn, retentionDays: 7 });
      expect(configured.findResource(A.archive, "backbone-archive").inputs.retentionDays).to.equal(90);
    });

    it("keeps idempotency records in an on-demand table keyed by id with TTL expiresAt", () => {
      const table = program.findResource(A.table, "idempotency");
      expect(table.inputs).to.include({ billingMode: "PAY_PER_REQUEST", hashKey: "id" });
      expect(table.inputs.attributes).to.deep.equal([{ name: "id", type: "S" }]);
      expect(table.inputs.ttl).to.deep.equal({ attributeName: "expiresAt", enabled: true });
    });
  });

  describe("monitoring", () => {
    it("alarms on API 5xx to the alarm topic", () => {
      const alarm = program.findResource(A.alarm, "backbone-api-5xx");
      expect(alarm.inputs).to.include({ namespace: "AWS/ApiGateway", metricName: "5XXError", threshold: 0 });
      expect(alarm.inputs.dimensions).to.deep.equal({
        ApiName: program.findResource(A.api, "ingress").state.name,
        Stage: "v1",
      });
      expect(alarm.inputs.alarmActions).to.deep.equal([program.findResource(A.topic, "backbone-alarms").state.arn]);
    });

    it("subscribes the alarm e-mail only when configured", () => {
      expect(program.resourcesOf(A.subscription)).to.have.length(0);
      const subscription = configured.findResource(A.subscription, "backbone-alarm-email");
      expect(subscription.inputs).to.include({
        protocol: "email",
        endpoint: "ops@example.com",
        topic: configured.findResource(A.topic, "backbone-alarms").state.arn,
      });
    });

    it("generates the dashboard from the table: API metrics plus every route's rule, Lambda and queues", () => {
      const body = JSON.parse(program.findResource(A.dashboard, "backbone-dashboard").inputs.dashboardBody);
      const metrics: string[][] = body.widgets.flatMap((w: { properties: { metrics?: string[][] } }) => w.properties.metrics ?? []);
      const has = (...parts: string[]) =>
        metrics.some((m) => parts.every((part, i) => (i < 2 ? m[i] === part : m.includes(part))));
      for (const name of ["Count", "4XXError", "5XXError", "Latency"]) {
        expect(has("AWS/ApiGateway", name, program.findResource(A.api, "ingress").state.name), name).to.equal(true);
      }
      for (const row of routes) {
        const ruleName = program.findResource("aws:cloudwatch/eventRule:EventRule", row.key).state.name;
        const fnName = program.findResource("aws:lambda/function:Function", row.key).state.name;
        const dlqName = program.findResource("aws:sqs/queue:Queue", `${row.key}-dlq`).state.name;
        const failedName = program.findResource("aws:sqs/queue:Queue", `${row.key}-failed`).state.name;
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
      expect(outputs.apiUrl).to.equal("https://ingress0api.execute-api.ap-southeast-2.amazonaws.com/v1/events");
      expect(outputs.busName).to.equal(program.findResource(A.bus, "backbone").state.name);
      expect(outputs.busArn).to.equal(program.findResource(A.bus, "backbone").state.arn);
      expect(Object.keys(outputs.dlqUrls)).to.deep.equal(routes.map((r) => r.key));
      for (const row of routes) {
        expect(outputs.dlqUrls[row.key]).to.equal(program.findResource("aws:sqs/queue:Queue", `${row.key}-dlq`).state.url);
        expect(outputs.failureQueueUrls[row.key]).to.equal(
          program.findResource("aws:sqs/queue:Queue", `${row.key}-failed`).state.url,
        );
      }
      const dashboardName = program.findResource(A.dashboard, "backbone-dashboard").inputs.dashboardName;
      expect(outputs.dashboardUrl).to.equal(
        `https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#dashboards:name=${dashboardName}`,
      );
    });
  });
});
