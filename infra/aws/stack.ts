/**
 * The whole program as a function of the routing table, so tests can build the stack from another table.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { detailCheckCode, lambdaHandler } from "../../processors/runtime";
import {
  API_SOURCE,
  checkNames,
  checkRoutes,
  eventCatalog,
  formatProblems,
  stackNames,
  type RouteRow,
  type StackNames,
} from "../table";
import { Api } from "./api";
import { ApiGatewayAccount } from "./account";
import { Bus, BusPolicy, IdempotencyTable } from "./bus";
import { loadConfig } from "./config";
import { apiContract } from "./api/contract";
import { Monitoring } from "./monitoring";
import { QUEUE_RETENTION_SECONDS, Route } from "./route";
import { SchemaRegistry } from "./schemas";

/** The stack outputs (`pulumi stack output`). */
export interface StackOutputs {
  /** Full URL of `POST /events`. */
  apiUrl: pulumi.Output<string>;
  busName: pulumi.Output<string>;
  busArn: pulumi.Output<string>;
  /** The archive of what entered through the API: the `--event-source-arn` side of `aws events start-replay`. */
  archiveArn: pulumi.Output<string>;
  archiveName: pulumi.Output<string>;
  /** Per route key: the names and ARNs the `backbone` CLI (`infra/cli`) operates the route with. */
  routeResources: Record<string, RouteOutputs>;
  /** Per route key: the queue of events EventBridge could not deliver to the processor. */
  dlqUrls: Record<string, pulumi.Output<string>>;
  /** Per route key: the queue of events the processor failed on after Lambda's retries. */
  failureQueueUrls: Record<string, pulumi.Output<string>>;
  /** The first dashboard; `dashboardUrls` lists them all (a large table takes several). */
  dashboardUrl: pulumi.Output<string>;
  dashboardUrls: pulumi.Output<string>[];
  /** `auth` in force: `apiKey`, `iam` or `none`. */
  auth: string;
  /** With `auth` = `apiKey`: the key (a secret: `pulumi stack output apiKey --show-secrets`) and its id. */
  apiKey?: pulumi.Output<string>;
  apiKeyId?: pulumi.Output<string>;
  /** With `auth` = `iam`: the managed policy to attach to callers. */
  invokePolicyArn?: pulumi.Output<string>;
}

/**
 * The stack's names (`names.ts`) for the current project, stack and region; a name that cannot follow AWS's
 * rules fails the preview here, before any resource is declared.
 */
export function namesForStack(routes: readonly RouteRow[]): StackNames {
  const names = stackNames({
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    region: aws.config.region ?? "",
  });
  const problems = checkNames(
    names,
    routes.map((r) => r.key),
  );
  if (problems.length > 0) {
    throw new pulumi.ResourceError(`invalid names:\n${problems.map((p) => p.message).join("\n")}`, undefined);
  }
  return names;
}

/** One route's resources as the `backbone` CLI reads them (`infra/cli/outputs.ts` checks this shape). */
export interface RouteOutputs {
  /** The rule: `StartReplay`'s `Destination.FilterArns` restricts a replay to it. */
  ruleName: pulumi.Output<string>;
  ruleArn: pulumi.Output<string>;
  /** The processor: a dead letter is redriven by invoking it (asynchronously, as EventBridge does). */
  functionName: pulumi.Output<string>;
  /** Where its log lines go: `backbone events tail` follows it with CloudWatch Logs Live Tail. */
  logGroupName: pulumi.Output<string>;
  dlqUrl: pulumi.Output<string>;
  dlqArn: pulumi.Output<string>;
  failureQueueUrl: pulumi.Output<string>;
  failureQueueArn: pulumi.Output<string>;
}

/** Declares every resource for `routes`. Throws `pulumi.ResourceError` naming the row or key that is wrong. */
export function buildStack(routes: readonly RouteRow[]): StackOutputs {
  const problems = checkRoutes(routes);
  if (problems.length > 0) {
    throw new pulumi.ResourceError(`invalid routing table:\n${formatProblems(problems)}`, undefined);
  }
  const config = loadConfig();
  const names = namesForStack(routes);
  const region = aws.getRegionOutput().region;
  const excludePackages = runtimeDependencies();

  const table = new IdempotencyTable("idempotency", { tableName: names.table });

  const bus = new Bus("backbone", {
    archiveRetentionDays: config.archiveRetentionDays,
    busName: names.bus,
    archiveName: names.archive,
  });
  const built = routes.map((row) => {
    const { handle, name, schema, emits } = row.processor;
    // Only the validator's code string is captured, never the schema (see `processors/lambda.ts`).
    const checkCode = detailCheckCode(schema);
    return new Route(row.key, {
      row,
      handler: lambdaHandler(handle, name, row.key, checkCode, [...(emits ?? [])]),
      names: names.route(row.key),
      busName: bus.name,
      busArn: bus.arn,
      idempotencyTableName: table.name,
      idempotencyTableArn: table.arn,
      logRetentionDays: config.logRetentionDays,
      queueRetentionSeconds: QUEUE_RETENTION_SECONDS,
      asyncRetryAttempts: config.asyncRetryAttempts,
      asyncMaxEventAgeSeconds: config.asyncMaxEventAgeSeconds,
      excludePackages,
    });
  });

  new SchemaRegistry("contracts", { registryName: names.schemaRegistry, catalog: eventCatalog(routes) });

  const account = config.manageApiGatewayAccount
    ? new ApiGatewayAccount("apigateway-logging", { rolePrefix: names.apiGatewayLoggingRolePrefix })
    : undefined;
  const api = new Api("ingress", {
    region,
    busArn: bus.arn,
    source: API_SOURCE,
    contract: apiContract(eventCatalog(routes), bus.name, config.auth),
    names,
    stageName: config.stageName,
    throttle: config.throttle,
    auth: config.auth,
    quota: config.quota,
    logRetentionDays: config.logRetentionDays,
    loggingAccount: account?.account,
  });

  new BusPolicy("backbone", {
    busName: bus.name,
    busArn: bus.arn,
    producers: [
      { roleArn: api.role.arn, source: API_SOURCE },
      ...built.map((route) => ({ roleArn: route.role.arn, source: route.source })),
    ],
  });

  const monitoring = new Monitoring("backbone", {
    region,
    busName: bus.name,
    apiName: api.restApi.name,
    stageName: api.stage.stageName,
    accessLogGroupName: api.accessLogs.name,
    alarmEmail: config.alarmEmail,
    names,
    queueRetentionSeconds: QUEUE_RETENTION_SECONDS,
    routes: built.map((route) => ({
      key: route.key,
      functionName: route.fn.name,
      ruleName: route.rule.name,
      dlqName: route.dlq.name,
      failureQueueName: route.failureQueue.name,
    })),
  });

  const byKey = (pick: (route: Route) => pulumi.Output<string>) =>
    Object.fromEntries(built.map((route) => [route.key, pick(route)]));
  const { access } = api;
  return {
    apiUrl: api.url,
    busName: bus.name,
    busArn: bus.arn,
    archiveArn: bus.archive.arn,
    archiveName: bus.archive.name,
    routeResources: Object.fromEntries(built.map((route) => [route.key, routeOutputs(route)])),
    dlqUrls: byKey((route) => route.dlq.url),
    failureQueueUrls: byKey((route) => route.failureQueue.url),
    dashboardUrl: monitoring.dashboardUrl,
    dashboardUrls: monitoring.dashboardUrls,
    auth: config.auth,
    ...(access.apiKey ? { apiKey: access.apiKey } : {}),
    ...(access.apiKeyId ? { apiKeyId: access.apiKeyId } : {}),
    ...(access.invokePolicyArn ? { invokePolicyArn: access.invokePolicyArn } : {}),
  };
}

function routeOutputs(route: Route): RouteOutputs {
  return {
    ruleName: route.rule.name,
    ruleArn: route.rule.arn,
    functionName: route.fn.name,
    logGroupName: route.logGroup.name,
    dlqUrl: route.dlq.url,
    dlqArn: route.dlq.arn,
    failureQueueUrl: route.failureQueue.url,
    failureQueueArn: route.failureQueue.arn,
  };
}

/**
 * Every package in `dependencies`: Pulumi would otherwise zip all of them (and their dependencies) into every
 * archive. The handlers need none: the `nodejs22.x` runtime ships the AWS SDK v3 they `require` lazily.
 */
export function runtimeDependencies(packageJsonPath = join(__dirname, "..", "..", "package.json")): string[] {
  const pkg = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {});
}
