import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { ApiContract } from "./contract";
import { assumedBy } from "../iam";
import {
  JSON_CONTENT_TYPE,
  PASSTHROUGH_BEHAVIOR,
  PUT_EVENTS_REQUEST_PARAMETERS,
  putEventsIntegrationUri,
  type PutEventsIntegrationResponse,
} from "./templates";

/** Arguments of the ingress API. */
export interface ApiArgs {
  /** Region of the bus: part of the PutEvents integration URI. */
  readonly region: pulumi.Input<string>;
  /** The only resource the integration role may put events on. */
  readonly busArn: pulumi.Input<string>;
  /** Request model, templates and responses, built from the event catalogue (`infra/contract.ts`). */
  readonly contract: ApiContract;
  /** Stage name, part of the URL. */
  readonly stageName: string;
  /** Stage-wide throttling (and the usage plan's, when an API key is required). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of the access log group. */
  readonly logRetentionDays: number;
  /** Require `x-api-key`; a usage plan then carries the throttle and one key is created. */
  readonly apiKeyRequired: boolean;
  /**
   * The account setting that lets API Gateway write logs, when this stack manages it: the stage waits for it
   * (a component's `dependsOn` does not reach its children).
   */
  readonly loggingAccount?: pulumi.Resource;
}

/**
 * `POST /events` → EventBridge PutEvents, with no Lambda in between: API Gateway validates the body against the
 * catalogue model, the request template builds the PutEvents entry (source set here, never by the client), and
 * the response templates turn PutEvents' answer (including FailedEntryCount > 0) into the HTTP contract.
 */
export class Api extends pulumi.ComponentResource {
  readonly restApi: aws.apigateway.RestApi;
  readonly role: aws.iam.Role;
  readonly integration: aws.apigateway.Integration;
  readonly stage: aws.apigateway.Stage;
  /** Full URL of `POST /events`. */
  readonly url: pulumi.Output<string>;
  readonly apiKeyId?: pulumi.Output<string>;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:api:Api", name, {}, opts);
    const child = { parent: this };
    const { contract } = args;

    this.restApi = new aws.apigateway.RestApi(
      name,
      { description: "Event backbone ingress: POST /events", endpointConfiguration: { types: "REGIONAL" } },
      child,
    );
    const restApi = this.restApi.id;
    const resource = new aws.apigateway.Resource(
      `${name}-events`,
      { restApi, parentId: this.restApi.rootResourceId, pathPart: "events" },
      child,
    );
    const model = new aws.apigateway.Model(
      `${name}-event`,
      {
        restApi,
        name: contract.modelName,
        contentType: JSON_CONTENT_TYPE,
        description: "One event: a detail-type of the catalogue and its detail",
        schema: contract.requestModelSchema,
      },
      child,
    );
    const validator = new aws.apigateway.RequestValidator(
      `${name}-body`,
      { restApi, name: "body", validateRequestBody: true, validateRequestParameters: false },
      child,
    );
    const method = new aws.apigateway.Method(
      `${name}-post-events`,
      {
        restApi,
        resourceId: resource.id,
        httpMethod: "POST",
        authorization: "NONE",
        apiKeyRequired: args.apiKeyRequired,
        requestValidatorId: validator.id,
        requestModels: { [JSON_CONTENT_TYPE]: model.name },
      },
      child,
    );

    this.role = new aws.iam.Role(
      `${name}-put-events`,
      {
        description: "Lets API Gateway put events on the backbone bus, nothing else",
        assumeRolePolicy: JSON.stringify(assumedBy("apigateway.amazonaws.com")),
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-put-events`,
      {
        role: this.role.id,
        policy: pulumi.output(args.busArn).apply((busArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: busArn }],
          }),
        ),
      },
      child,
    );

    this.integration = new aws.apigateway.Integration(
      `${name}-put-events`,
      {
        restApi,
        resourceId: resource.id,
        httpMethod: method.httpMethod,
        type: "AWS",
        integrationHttpMethod: "POST",
        uri: pulumi.output(args.region).apply(putEventsIntegrationUri),
        credentials: this.role.arn,
        requestParameters: { ...PUT_EVENTS_REQUEST_PARAMETERS },
        requestTemplates: { [JSON_CONTENT_TYPE]: contract.requestTemplate },
        // Anything but application/json is answered 415 instead of being forwarded raw to PutEvents.
        passthroughBehavior: PASSTHROUGH_BEHAVIOR,
      },
      { parent: this, dependsOn: [rolePolicy] },
    );

    const duplicate = contract.integrationResponses.find(
      (r, i) => contract.integrationResponses.findIndex((o) => o.statusCode === r.statusCode) !== i,
    );
    if (duplicate) {
      throw new pulumi.ResourceError(`two integration responses share status ${duplicate.statusCode}`, this);
    }
    const statusCodes = [
      ...new Set([...contract.methodStatusCodes, ...contract.integrationResponses.map((r) => r.statusCode)]),
    ];
    const methodResponses = statusCodes.map(
      (statusCode) =>
        new aws.apigateway.MethodResponse(
          `${name}-post-events-${statusCode}`,
          {
            restApi,
            resourceId: resource.id,
            httpMethod: method.httpMethod,
            statusCode,
            responseParameters: methodResponseParameters(contract.integrationResponses, statusCode),
          },
          child,
        ),
    );
    const integrationResponses = contract.integrationResponses.map(
      (r) =>
        new aws.apigateway.IntegrationResponse(
          `${name}-post-events-${r.statusCode}`,
          {
            restApi,
            resourceId: resource.id,
            httpMethod: method.httpMethod,
            statusCode: r.statusCode,
            selectionPattern: r.selectionPattern,
            responseTemplates: r.responseTemplates,
            responseParameters: r.responseParameters,
          },
          { parent: this, dependsOn: [this.integration, ...methodResponses] },
        ),
    );
    const gatewayResponses = contract.gatewayResponses.map(
      (r) =>
        new aws.apigateway.Response(
          `${name}-${r.responseType.toLowerCase().replace(/_/g, "-")}`,
          {
            restApiId: restApi,
            responseType: r.responseType,
            statusCode: r.statusCode,
            responseTemplates: r.responseTemplates,
            responseParameters: r.responseParameters,
          },
          child,
        ),
    );

    // A deployment is a snapshot: without a new one, changes to the API never reach the stage.
    const definition = pulumi
      .all([contract.requestModelSchema, contract.requestTemplate])
      .apply(([schema, template]) =>
        definitionHash({
          modelName: contract.modelName,
          schema,
          template,
          methodStatusCodes: contract.methodStatusCodes,
          integrationResponses: contract.integrationResponses,
          gatewayResponses: contract.gatewayResponses,
          apiKeyRequired: args.apiKeyRequired,
          resource: "events",
          method: "POST",
        }),
      );
    const deployment = new aws.apigateway.Deployment(
      name,
      { restApi, description: "POST /events", triggers: { definition } },
      { parent: this, dependsOn: [method, this.integration, ...integrationResponses, ...gatewayResponses] },
    );

    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access`,
      { retentionInDays: args.logRetentionDays },
      child,
    );
    this.stage = new aws.apigateway.Stage(
      name,
      {
        restApi,
        deployment: deployment.id,
        stageName: args.stageName,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify(ACCESS_LOG_FORMAT) },
      },
      { parent: this, dependsOn: args.loggingAccount ? [args.loggingAccount] : [] },
    );
    new aws.apigateway.MethodSettings(
      name,
      {
        restApi,
        stageName: this.stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingRateLimit: args.throttle.rateLimit,
          throttlingBurstLimit: args.throttle.burstLimit,
          metricsEnabled: true,
          loggingLevel: "ERROR",
        },
      },
      { parent: this, dependsOn: args.loggingAccount ? [args.loggingAccount] : [] },
    );

    if (args.apiKeyRequired) {
      const plan = new aws.apigateway.UsagePlan(
        name,
        {
          description: "Clients of POST /events",
          apiStages: [{ apiId: restApi, stage: this.stage.stageName }],
          throttleSettings: { rateLimit: args.throttle.rateLimit, burstLimit: args.throttle.burstLimit },
        },
        child,
      );
      const key = new aws.apigateway.ApiKey(name, { description: "Key for POST /events" }, child);
      new aws.apigateway.UsagePlanKey(
        name,
        { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id },
        child,
      );
      this.apiKeyId = key.id;
    }

    this.url = pulumi.interpolate`${this.stage.invokeUrl}/events`;
    this.registerOutputs({ url: this.url, restApiId: restApi, apiKeyId: this.apiKeyId });
  }
}

/** One JSON object per request in the access log. */
const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  errorType: "$context.error.responseType",
};

/** Stable hash of everything that defines the API, used as the deployment trigger. */
export function definitionHash(definition: unknown): string {
  return createHash("sha256").update(JSON.stringify(definition)).digest("hex");
}

/** A method response must declare every header its integration responses set. */
function methodResponseParameters(
  responses: readonly PutEventsIntegrationResponse[],
  statusCode: string,
): Record<string, boolean> | undefined {
  const headers: Record<string, boolean> = {};
  for (const r of responses.filter((x) => x.statusCode === statusCode)) {
    for (const target of Object.keys(r.responseParameters ?? {})) {
      headers[target] = false;
    }
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}
