/** One row of the routing table on AWS: rule, target, Lambda, its role, queues and log group. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackboneEvent } from "../../processors/runtime";
import { processorSource, ROUTE_DEFAULTS, type RouteNames, type RouteRow } from "../table";
import { assumedBy, dlqPolicy, processorPolicy } from "./iam";

/** What a route's Lambda receives from EventBridge and returns. */
export type RouteHandler = aws.lambda.Callback<BackboneEvent, unknown>;

/** Arguments of one route (one row of the routing table). */
export interface RouteArgs {
  /** The row: key, pattern, retry policy, memory/timeout. */
  readonly row: RouteRow;
  /** The function Pulumi serializes into the Lambda archive (built by `lambdaHandler`). */
  readonly handler: RouteHandler;
  /** Physical names of the route's resources (`names.ts`): function, log group, rule, role, queues. */
  readonly names: RouteNames;
  /** The bus the rule listens on and the function emits to (env `EVENT_BUS_NAME`). */
  readonly busName: pulumi.Input<string>;
  readonly busArn: pulumi.Input<string>;
  /** Where the function remembers processed event ids (env `IDEMPOTENCY_TABLE`). */
  readonly idempotencyTableName: pulumi.Input<string>;
  readonly idempotencyTableArn: pulumi.Input<string>;
  /** Retention of the function's log group. */
  readonly logRetentionDays: number;
  /** Queue retention: how long an undelivered or failed event waits for triage (SQS allows up to 14 days). */
  readonly queueRetentionSeconds: number;
  /** Lambda's own async retries when the handler throws (0–2). */
  readonly asyncRetryAttempts: number;
  /** Oldest event Lambda still retries before sending it to the failure queue (60–21600 s). */
  readonly asyncMaxEventAgeSeconds: number;
  /** Packages Pulumi must leave out of the archive (every runtime dependency: the archive holds none). */
  readonly excludePackages: readonly string[];
}

/**
 * One route: rule → target Lambda, and every way an event can fail without being lost. EventBridge delivery
 * failures (after the row's retry policy) land in the DLQ; EventBridge invokes Lambda asynchronously, so handler
 * errors never reach that DLQ and instead go through Lambda's async retries to the failure queue.
 */
export class Route extends pulumi.ComponentResource {
  readonly key: string;
  /** The only source this route's processor may put events with (`processorSource(name)`). */
  readonly source: string;
  readonly fn: aws.lambda.CallbackFunction<BackboneEvent, unknown>;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly rule: aws.cloudwatch.EventRule;
  readonly target: aws.cloudwatch.EventTarget;
  /** Events EventBridge could not deliver to the function. */
  readonly dlq: aws.sqs.Queue;
  /** Events the function failed on after Lambda's async retries. */
  readonly failureQueue: aws.sqs.Queue;

  constructor(name: string, args: RouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:route:Route", name, {}, opts);
    const { row } = args;
    const key = row.key;
    this.key = key;
    const child = { parent: this };

    const { names } = args;
    const source = processorSource(row.processor.name);
    this.source = source;
    const queue = (queueName: string): aws.sqs.QueueArgs => ({
      name: queueName,
      // SSE with SQS-owned keys: EventBridge and Lambda can write to it without a KMS key policy.
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: args.queueRetentionSeconds,
    });
    this.dlq = new aws.sqs.Queue(`${key}-dlq`, queue(names.dlq), child);
    this.failureQueue = new aws.sqs.Queue(`${key}-failed`, queue(names.failureQueue), child);
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${key}-logs`,
      { name: names.logGroup, retentionInDays: args.logRetentionDays },
      child,
    );

    this.role = new aws.iam.Role(
      `${key}-fn`,
      {
        name: names.role,
        description: `Execution role of the ${key} processor`,
        assumeRolePolicy: JSON.stringify(assumedBy("lambda.amazonaws.com")),
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${key}-fn`,
      {
        role: this.role.id,
        policy: pulumi
          .all([this.logGroup.arn, args.busArn, args.idempotencyTableArn, this.failureQueue.arn])
          .apply(([logGroupArn, busArn, tableArn, failureQueueArn]) =>
            JSON.stringify(processorPolicy({ logGroupArn, busArn, tableArn, failureQueueArn, source })),
          ),
      },
      child,
    );

    this.fn = new aws.lambda.CallbackFunction(
      key,
      {
        name: names.function,
        description: row.description,
        callback: args.handler,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        // Graviton: the same code (no native modules), about 20% less per GB-second than x86_64.
        architectures: ["arm64"],
        // The trace that began at API Gateway continues here and, through PutEvents' TraceHeader, onwards.
        tracingConfig: { mode: "Active" },
        reservedConcurrentExecutions: row.reservedConcurrency,
        role: this.role,
        memorySize: row.memoryMb ?? ROUTE_DEFAULTS.memoryMb,
        timeout: row.timeoutSeconds ?? ROUTE_DEFAULTS.timeoutSeconds,
        environment: {
          variables: { EVENT_BUS_NAME: args.busName, IDEMPOTENCY_TABLE: args.idempotencyTableName },
        },
        // A fresh object per function: CallbackFunction pushes "aws-sdk" into the list it is given.
        codePathOptions: { extraExcludePackages: [...args.excludePackages] },
      },
      // The log group must exist first: the role cannot create it, and Lambda would create one without retention.
      { parent: this, dependsOn: [this.logGroup, rolePolicy], deleteBeforeReplace: true },
    );

    new aws.lambda.FunctionEventInvokeConfig(
      key,
      {
        functionName: this.fn.name,
        maximumRetryAttempts: args.asyncRetryAttempts,
        maximumEventAgeInSeconds: args.asyncMaxEventAgeSeconds,
        destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
      },
      // Lambda checks the role can send to the destination when the config is created.
      { parent: this, dependsOn: [rolePolicy] },
    );

    this.rule = new aws.cloudwatch.EventRule(
      key,
      {
        name: names.rule,
        eventBusName: args.busName,
        eventPattern: JSON.stringify(row.pattern),
        description: row.description,
      },
      child,
    );
    new aws.sqs.QueuePolicy(
      `${key}-dlq`,
      {
        queueUrl: this.dlq.url,
        policy: pulumi
          .all([this.dlq.arn, this.rule.arn])
          .apply(([queueArn, ruleArn]) => JSON.stringify(dlqPolicy(queueArn, ruleArn))),
      },
      child,
    );
    const permission = new aws.lambda.Permission(
      key,
      {
        action: "lambda:InvokeFunction",
        function: this.fn.name,
        principal: "events.amazonaws.com",
        sourceArn: this.rule.arn,
      },
      child,
    );
    this.target = new aws.cloudwatch.EventTarget(
      key,
      {
        rule: this.rule.name,
        eventBusName: args.busName,
        // A fixed id (else the provider makes a random one), so ListTargetsByRule answers as the local stack does.
        targetId: args.names.target,
        arn: this.fn.arn,
        retryPolicy: {
          maximumRetryAttempts: row.retry.maximumRetryAttempts,
          maximumEventAgeInSeconds: row.retry.maximumEventAgeSeconds,
        },
        deadLetterConfig: { arn: this.dlq.arn },
      },
      { parent: this, dependsOn: [permission] },
    );

    this.registerOutputs({
      functionName: this.fn.name,
      ruleArn: this.rule.arn,
      dlqUrl: this.dlq.url,
      failureQueueUrl: this.failureQueue.url,
    });
  }
}

/** SQS's maximum message retention: the longest an undelivered or failed event can wait for triage. */
export const QUEUE_RETENTION_SECONDS = 14 * 24 * 3600;
