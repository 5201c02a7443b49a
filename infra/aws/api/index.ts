/**
 * The ingress API, `POST /events` → EventBridge PutEvents, as a Pulumi component; its contract, templates,
 * request model and deployment trigger live beside it, pure.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackNames } from "../../table";
import type { ApiContract } from "./contract";
import type { ApiAuth } from "./gateway-responses";
import { apiPutEventsPolicy, assumedBy } from "../iam";
import { ApiAccess } from "./access";
import { declareResponses } from "./responses";
import { deploymentTrigger, type SnapshotEntry, type SnapshottedType } from "./snapshot";
import { ACCESS_LOG_FORMAT, executionLogGroupName } from "./logging";
import {
  JSON_CONTENT_TYPE,
  PASSTHROUGH_BEHAVIOR,
  PUT_EVENTS_REQUEST_PARAMETERS,
  putEventsIntegrationUri,
} from "./templates";

export { ApiAccess, type ApiAccessArgs } from "./access";
export { canonicalJson, deploymentTrigger, SNAPSHOTTED_TYPES, type SnapshotEntry } from "./snapshot";
export { ACCESS_LOG_FORMAT, executionLogGroupName } from "./logging";

/** Physical names of the API's resources (`names.ts`). */
export type ApiNames = Pick<
  StackNames,
  "restApi" | "apiRole" | "accessLogGroup" | "usagePlan" | "apiKey" | "invokePolicy"
>;

/** Arguments of the ingress API. */
export interface ApiArgs {
  /** Region of the bus: part of the PutEvents integration URI. */
  readonly region: pulumi.Input<string>;
  /** The only resource the integration role may put events on. */
  readonly busArn: pulumi.Input<string>;
  /** The source the integration role may put events with (`API_SOURCE`; the bus policy pins it too). */
  readonly source: string;
  /** Request model, templates and responses, built from the event catalogue (`contract.ts`). */
  readonly contract: ApiContract;
  readonly names: ApiNames;
  /** Stage name, part of the URL. */
  readonly stageName: string;
  /** Stage-wide throttling (and the usage plan's, with `auth` = `apiKey`). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Who may call: an API key (usage plan, key), SigV4 (IAM), or anyone. */
  readonly auth: ApiAuth;
  /** The usage plan's quota, with `auth` = `apiKey`. */
  readonly quota?: { readonly limit: number; readonly period: "DAY" | "WEEK" | "MONTH" };
  /** Retention of the access and execution log groups. */
  readonly logRetentionDays: number;
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
  readonly deployment: aws.apigateway.Deployment;
  readonly stage: aws.apigateway.Stage;
  /** Group API Gateway writes its execution log to; created by the stack so that it has a retention. */
  readonly executionLogs: aws.cloudwatch.LogGroup;
  readonly accessLogs: aws.cloudwatch.LogGroup;
  readonly access: ApiAccess;
  /** Full URL of `POST /events`. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:api:Api", name, {}, opts);
    const child = { parent: this };
    const { contract, names } = args;

    // Every resource the deployment snapshots goes through `snap`, which keeps its inputs for the trigger.
    const snapshot: { type: SnapshottedType; name: string; inputs: object }[] = [];
    const snap = <A extends object>(type: SnapshottedType, resourceName: string, inputs: A): A => {
      snapshot.push({ type, name: resourceName, inputs });
      return inputs;
    };

    this.restApi = new aws.apigateway.RestApi(
      name,
      snap("aws:apigateway/restApi:RestApi", name, {
        name: names.restApi,
        description: "Event backbone ingress: POST /events",
        endpointConfiguration: { types: "REGIONAL" },
      }),
      child,
    );
    const restApi = this.restApi.id;
    const resource = new aws.apigateway.Resource(
      `${name}-events`,
      snap("aws:apigateway/resource:Resource", `${name}-events`, {
        restApi,
        parentId: this.restApi.rootResourceId,
        pathPart: "events",
      }),
      child,
    );
    const model = new aws.apigateway.Model(
      `${name}-event`,
      snap("aws:apigateway/model:Model", `${name}-event`, {
        restApi,
        name: contract.modelName,
        contentType: JSON_CONTENT_TYPE,
        description: "One event: a detail-type of the catalogue and its detail",
        schema: contract.requestModelSchema,
      }),
      child,
    );
    const validator = new aws.apigateway.RequestValidator(
      `${name}-body`,
      snap("aws:apigateway/requestValidator:RequestValidator", `${name}-body`, {
        restApi,
        name: "body",
        validateRequestBody: true,
        validateRequestParameters: false,
      }),
      child,
    );
    const method = new aws.apigateway.Method(
      `${name}-post-events`,
      snap("aws:apigateway/method:Method", `${name}-post-events`, {
        restApi,
        resourceId: resource.id,
        httpMethod: "POST",
        authorization: args.auth === "iam" ? "AWS_IAM" : "NONE",
        apiKeyRequired: args.auth === "apiKey",
        requestValidatorId: validator.id,
        requestModels: { [JSON_CONTENT_TYPE]: model.name },
      }),
      child,
    );

    this.role = new aws.iam.Role(
      `${name}-put-events`,
      {
        name: names.apiRole,
        description: "Lets API Gateway put events on the backbone bus, with the API's source, nothing else",
        assumeRolePolicy: JSON.stringify(assumedBy("apigateway.amazonaws.com")),
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-put-events`,
      {
        role: this.role.id,
        policy: pulumi
          .output(args.busArn)
          .apply((busArn) => JSON.stringify(apiPutEventsPolicy(busArn, args.source))),
      },
      child,
    );

    this.integration = new aws.apigateway.Integration(
      `${name}-put-events`,
      snap("aws:apigateway/integration:Integration", `${name}-put-events`, {
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
      }),
      { parent: this, dependsOn: [rolePolicy] },
    );

    const { methodResponses, integrationResponses, gatewayResponses } = declareResponses(this, name, {
      contract,
      restApi,
      resourceId: resource.id,
      httpMethod: method.httpMethod,
      integration: this.integration,
      snap,
    });

    // Stage settings: declared after the stage (below), but hashed with the rest, by the plain stage name.
    const methodSettings = snap("aws:apigateway/methodSettings:MethodSettings", name, {
      restApi,
      stageName: args.stageName,
      methodPath: "*/*",
      settings: {
        throttlingRateLimit: args.throttle.rateLimit,
        throttlingBurstLimit: args.throttle.burstLimit,
        metricsEnabled: true,
        loggingLevel: "ERROR",
      },
    });

    this.deployment = new aws.apigateway.Deployment(
      name,
      { restApi, description: "POST /events", triggers: { definition: snapshotTrigger(snapshot) } },
      {
        parent: this,
        dependsOn: [
          resource,
          model,
          validator,
          method,
          this.integration,
          ...methodResponses,
          ...integrationResponses,
          ...gatewayResponses,
        ],
      },
    );

    this.accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access`,
      { name: names.accessLogGroup, retentionInDays: args.logRetentionDays },
      child,
    );
    // API Gateway writes execution logs to this fixed name and would create it itself, never expiring.
    this.executionLogs = new aws.cloudwatch.LogGroup(
      `${name}-execution`,
      {
        name: pulumi.output(restApi).apply((id) => executionLogGroupName(id, args.stageName)),
        retentionInDays: args.logRetentionDays,
      },
      child,
    );
    const logging = [this.executionLogs, ...(args.loggingAccount ? [args.loggingAccount] : [])];
    this.stage = new aws.apigateway.Stage(
      name,
      {
        restApi,
        deployment: this.deployment.id,
        stageName: args.stageName,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: this.accessLogs.arn, format: JSON.stringify(ACCESS_LOG_FORMAT) },
      },
      { parent: this, dependsOn: logging },
    );
    new aws.apigateway.MethodSettings(name, methodSettings, {
      parent: this,
      dependsOn: [this.stage, ...logging],
    });

    this.access = new ApiAccess(
      name,
      {
        auth: args.auth,
        restApiId: restApi,
        executionArn: this.restApi.executionArn,
        stageName: this.stage.stageName,
        throttle: args.throttle,
        quota: args.quota,
        names,
      },
      child,
    );

    this.url = pulumi.interpolate`${this.stage.invokeUrl}/events`;
    this.registerOutputs({ url: this.url, restApiId: restApi });
  }
}

/** The trigger as an output: the snapshotted inputs, resolved, hashed by `deploymentTrigger`. */
function snapshotTrigger(
  snapshot: readonly { type: string; name: string; inputs: object }[],
): pulumi.Output<string> {
  const resolved = snapshot.map((entry) =>
    pulumi
      .output(entry.inputs)
      .apply((inputs): SnapshotEntry => ({ type: entry.type, name: entry.name, inputs })),
  );
  return pulumi.all(resolved).apply(deploymentTrigger);
}
