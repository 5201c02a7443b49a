import { T } from "./harness/types";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import {
  METHOD_RESPONSE_STATUS_CODES,
  putEventsIntegrationResponses,
} from "../../../infra/aws/api/templates";
import { API_SOURCE } from "../../../infra/table";
import { defaultAndConfigured, type Program } from "./harness/program";

describe("cloud stack: ingress API", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  let configured: Program;
  before(async () => {
    [program, configured] = await defaultAndConfigured();
  });

  describe("POST /events", () => {
    it("is a POST method on /events, validated against the catalogue model", () => {
      const resource = program.findResource(T.resource, "ingress-events");
      expect(resource.inputs).to.include({
        pathPart: "events",
        parentId: program.findResource(T.api, "ingress").state.rootResourceId,
      });
      const method = program.findResource(T.method, "ingress-post-events");
      const model = program.findResource(T.model, "ingress-event");
      const validator = program.findResource(T.validator, "ingress-body");
      expect(method.inputs).to.include({
        httpMethod: "POST",
        resourceId: resource.id,
        requestValidatorId: validator.id,
      });
      expect(method.inputs.requestModels).to.deep.equal({ "application/json": model.state.name });
      expect(validator.inputs.validateRequestBody).to.equal(true);
      const schema = JSON.parse(model.inputs.schema);
      expect(schema.$schema).to.equal("http://json-schema.org/draft-04/schema#");
      const detailTypes = [...new Set(routes.map((r) => r.processor.detailType))].sort();
      expect([...schema.properties["detail-type"].enum].sort()).to.deep.equal(detailTypes);
    });

    it("integrates with events:PutEvents on the bus through the scoped role, never passing bodies through", () => {
      const integration = program.findResource(T.integration, "ingress-put-events");
      const role = program.findResource(T.role, "ingress-put-events");
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
      expect(template).to.contain(JSON.stringify(program.findResource(T.bus, "backbone").state.name));
      expect(template).to.contain(JSON.stringify(API_SOURCE));
    });

    it("the integration role may only put events on this bus", () => {
      const role = program.findResource(T.role, "ingress-put-events");
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({
        Service: "apigateway.amazonaws.com",
      });
      const policy = program.findResource(T.rolePolicy, "ingress-put-events");
      expect(policy.inputs.role).to.equal(role.id);
      expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([
        {
          Sid: "Ingress",
          Effect: "Allow",
          Action: "events:PutEvents",
          Resource: program.findResource(T.bus, "backbone").state.arn,
          Condition: { "ForAllValues:StringEquals": { "events:source": [API_SOURCE] } },
        },
      ]);
    });

    it("maps PutEvents answers with the contract's integration responses and declares every status", () => {
      const declared = program.resourcesOf(T.integrationResponse).map((r) => ({
        statusCode: r.inputs.statusCode,
        selectionPattern: r.inputs.selectionPattern,
        responseTemplates: r.inputs.responseTemplates,
      }));
      const contract = putEventsIntegrationResponses().map((r) => ({
        statusCode: r.statusCode,
        selectionPattern: r.selectionPattern,
        responseTemplates: r.responseTemplates,
      }));
      const byStatus = (a: { statusCode: string }, b: { statusCode: string }) =>
        a.statusCode.localeCompare(b.statusCode);
      expect(declared.sort(byStatus)).to.deep.equal(contract.sort(byStatus));
      expect(declared.map((r) => r.statusCode)).to.include.members(["202", "500"]);
      for (const r of program.resourcesOf(T.integrationResponse)) {
        expect(r.inputs.resourceId).to.equal(program.findResource(T.resource, "ingress-events").id);
      }
      const methodResponses = program.resourcesOf("aws:apigateway/methodResponse:MethodResponse");
      expect(methodResponses.map((r) => r.inputs.statusCode).sort()).to.deep.equal(
        [...new Set([...METHOD_RESPONSE_STATUS_CODES, ...contract.map((r) => r.statusCode)])].sort(),
      );
      expect(METHOD_RESPONSE_STATUS_CODES).to.include.members(["202", "429", "500"]);
    });

    it("answers API Gateway's own errors as JSON with the contract's statuses", () => {
      const byType = Object.fromEntries(
        program.resourcesOf(T.response).map((r) => [r.inputs.responseType, r.inputs]),
      );
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
        expect(byType[type].restApiId).to.equal(program.findResource(T.api, "ingress").id);
        expect(byType[type].responseTemplates["application/json"], type).to.contain(`"error":"${error}"`);
      }
      expect(byType.BAD_REQUEST_BODY.responseTemplates["application/json"]).to.contain(
        "validationErrorString",
      );
      expect(byType.THROTTLED.responseParameters).to.have.property("gatewayresponse.header.Retry-After");
    });

    it("redeploys when the API definition changes (deployment trigger hashes it)", () => {
      const hash = program.findResource(T.deployment, "ingress").inputs.triggers.definition;
      expect(hash).to.match(/^[0-9a-f]{64}$/);
      // auth changes the method, so the configured stack must get another deployment.
      expect(configured.findResource(T.deployment, "ingress").inputs.triggers.definition).to.not.equal(hash);
      const stage = program.findResource(T.stage, "ingress");
      expect(stage.inputs.deployment).to.equal(program.findResource(T.deployment, "ingress").id);
    });

    it("stage: tracing, JSON access logs, an execution log group owned by the stack, retention and throttling from config", () => {
      for (const [p, stageName, retention, rate, burst] of [
        [program, "v1", 14, 100, 200],
        [configured, "prod", 30, 25, 50],
      ] as const) {
        const stage = p.findResource(T.stage, "ingress");
        expect(stage.inputs).to.include({ stageName, xrayTracingEnabled: true });
        const logGroup = p.findResource(T.logGroup, "ingress-access");
        expect(stage.inputs.accessLogSettings.destinationArn).to.equal(logGroup.state.arn);
        expect(JSON.parse(stage.inputs.accessLogSettings.format)).to.have.property(
          "requestId",
          "$context.requestId",
        );
        expect(logGroup.inputs.retentionInDays).to.equal(retention);
        // API Gateway writes execution logs to this fixed name; created here, it has a retention.
        const execution = p.findResource(T.logGroup, "ingress-execution");
        expect(execution.inputs).to.deep.equal({
          name: `API-Gateway-Execution-Logs_${p.findResource(T.api, "ingress").id}/${stageName}`,
          retentionInDays: retention,
        });
        expect(p.waitsFor(stage, T.logGroup, "ingress-execution")).to.equal(true);
        const settings = p.findResource(T.methodSettings, "ingress");
        expect(settings.inputs).to.include({ methodPath: "*/*", stageName });
        expect(settings.inputs.settings).to.include({
          throttlingRateLimit: rate,
          throttlingBurstLimit: burst,
        });
      }
    });

    it("creates the stage only after everything a deployment snapshots, and after the logging role setting", () => {
      const deployment = program.findResource(T.deployment, "ingress");
      const parts = [
        [T.method, "ingress-post-events"],
        [T.integration, "ingress-put-events"],
        ...program.resourcesOf(T.integrationResponse).map((r) => [T.integrationResponse, r.name]),
        ...program.resourcesOf(T.response).map((r) => [T.response, r.name]),
      ];
      expect(parts.length).to.be.greaterThan(8);
      for (const [type, name] of parts) expect(program.waitsFor(deployment, type, name), name).to.equal(true);
      const account = "aws:apigateway/account:Account";
      for (const [type, name] of [
        [T.stage, "ingress"],
        [T.methodSettings, "ingress"],
      ]) {
        expect(
          program.waitsFor(program.findResource(type, name), account, "apigateway-logging"),
          name,
        ).to.equal(true);
      }
      // With manageApiGatewayAccount=false another stack owns the setting: none is declared here.
      expect(configured.resourcesOf(account)).to.deep.equal([]);
    });

    it("answers a throttled PutEvents with 429 and Retry-After, declared on the 429 method response", () => {
      const response = program.findResource(
        "aws:apigateway/methodResponse:MethodResponse",
        "ingress-post-events-429",
      );
      expect(response.inputs.responseParameters).to.deep.equal({
        "method.response.header.Retry-After": false,
      });
      const error = program.findResource(T.integrationResponse, "ingress-post-events-500");
      expect(error.inputs.responseTemplates["application/json"]).to.contain(
        '#set($context.responseOverride.header.Retry-After = "1")',
      );
    });
  });
});
