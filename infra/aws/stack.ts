/**
 * The whole program as a function of the routing table, so tests can build the stack from another table.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { detailCheckCode, lambdaHandler } from "../../processors/runtime";
import { checkRoutes, eventCatalog, formatProblems, type RouteRow } from "../table";
import { Api } from "./api";
import { ApiGatewayAccount } from "./account";
import { Bus, IdempotencyTable } from "./bus";
import { loadConfig } from "./config";
import { apiContract } from "./api/contract";
import { Monitoring } from "./monitoring";
import { Route } from "./route";

/** The stack outputs (`pulumi stack output`). */
export interface StackOutputs {
  /** Full URL of `POST /events`. */
  apiUrl: pulumi.Output<string>;
  busName: pulumi.Output<string>;
  busArn: pulumi.Output<string>;
  /** The archive of what entered the bus: the `--event-source-arn` of `aws events start-replay`. */
  archiveArn: pulumi.Output<string>;
  /** Per route key: the names and ARNs the `backbone` CLI (`infra/cli`) operates the route with. */
  routeResources: Record<string, RouteOutputs>;
  /** Per route key: the queue of events EventBridge could not deliver to the processor. */
  dlqUrls: Record<string, pulumi.Output<string>>;
  /** Per route key: the queue of events the processor failed on after Lambda's retries. */
  failureQueueUrls: Record<string, pulumi.Output<string>>;
  dashboardUrl: pulumi.Output<string>;
  /** Only when `apiKeyRequired`: read the value with `aws apigateway get-api-key --include-value`. */
  apiKeyId?: pulumi.Output<string>;
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
  const prefix = `backbone-${pulumi.getStack()}`;
  const problems = checkRoutes(routes);
  if (problems.length > 0) {
    throw new pulumi.ResourceError(`invalid routing table:\n${formatProblems(problems)}`, undefined);
  }
  const config = loadConfig();
  const region = aws.getRegionOutput().region;
  const excludePackages = runtimeDependencies();

  const table = new IdempotencyTable("idempotency", {});

  const bus = new Bus("backbone", { archiveRetentionDays: config.archiveRetentionDays, busName: prefix });
  const built = routes.map((row) => {
    const functionName = `${prefix}-${row.key}`;
    const { handle, name, schema } = row.processor;
    // Only the validator's code string is captured, never the schema (see `processors/lambda.ts`).
    const checkCode = detailCheckCode(schema);
    return new Route(row.key, {
      row,
      handler: lambdaHandler(handle, name, row.key, checkCode),
      functionName,
      busName: bus.name,
      busArn: bus.arn,
      idempotencyTableName: table.name,
      idempotencyTableArn: table.arn,
      logRetentionDays: config.logRetentionDays,
      asyncRetryAttempts: config.asyncRetryAttempts,
      asyncMaxEventAgeSeconds: config.asyncMaxEventAgeSeconds,
      excludePackages,
    });
  });

  const account = config.manageApiGatewayAccount
    ? new ApiGatewayAccount("apigateway-logging", {})
    : undefined;
  const api = new Api("ingress", {
    region,
    busArn: bus.arn,
    contract: apiContract(eventCatalog(routes), bus.name),
    stageName: config.stageName,
    throttle: config.throttle,
    logRetentionDays: config.logRetentionDays,
    apiKeyRequired: config.apiKeyRequired,
    loggingAccount: account?.account,
  });

  const monitoring = new Monitoring("backbone", {
    region,
    busName: bus.name,
    apiName: api.restApi.name,
    stageName: api.stage.stageName,
    alarmEmail: config.alarmEmail,
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
  return {
    apiUrl: api.url,
    busName: bus.name,
    busArn: bus.arn,
    archiveArn: bus.archive.arn,
    routeResources: Object.fromEntries(built.map((route) => [route.key, routeOutputs(route)])),
    dlqUrls: byKey((route) => route.dlq.url),
    failureQueueUrls: byKey((route) => route.failureQueue.url),
    dashboardUrl: monitoring.dashboardUrl,
    ...(api.apiKeyId ? { apiKeyId: api.apiKeyId } : {}),
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
