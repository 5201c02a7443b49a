/**
 * The stack's posture as Pulumi policies: no open ingress, no wildcard IAM, encrypted queues, arm64, tracing,
 * log retention, and an alarm on every way an event can be lost. `index.ts` packs them for
 * `pulumi preview --policy-pack infra/policy`; `npm test` calls each validation on the mocked graph
 * (`test/infra/policy`), since a `PolicyPack` itself only runs under the Pulumi CLI.
 */
// The CLI type-checks the pack with ts-node at every start: with all of `@pulumi/aws` and `infra/aws` imported
// that took ~13 s of CPU here, with these five modules ~5 s (measured 2026-12-07).
import { Method } from "@pulumi/aws/apigateway/method";
import { Stage } from "@pulumi/aws/apigateway/stage";
import { Queue } from "@pulumi/aws/sqs/queue";
import { Function as LambdaFunction } from "@pulumi/aws/lambda/function";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import {
  validateResourceOfType,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";

/**
 * Actions that accept no resource but `*` (X-Ray's trace upload). The pack keeps its own list, as it does the
 * logging actions below, rather than importing `infra/aws`: a guard that reads the list it checks against from the
 * code it checks cannot catch a change to it (and see the imports above).
 */
const RESOURCELESS_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/** Actions the API Gateway account role needs on `*` (API Gateway names its execution log groups itself). */
const API_GATEWAY_LOGGING_ACTIONS = [
  "logs:CreateLogGroup",
  "logs:CreateLogStream",
  "logs:DescribeLogGroups",
  "logs:DescribeLogStreams",
  "logs:PutLogEvents",
];

/** The component that owns the API Gateway account role (`infra/aws/account.ts`). */
const ACCOUNT_COMPONENT = "backbone:api:ApiGatewayAccount";

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: unknown;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The type of the resource a URN names (`urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`). */
function urnType(urn: string | undefined): string | undefined {
  const parts = urn?.split("::") ?? [];
  return parts.length >= 4 ? parts[parts.length - 2].split("$").pop() : undefined;
}

/** The policy documents a resource carries (IAM inline and managed policies, trust policies, queue and bus policies). */
function documentsOf(args: ResourceValidationArgs): { field: string; statements: Statement[] }[] {
  const fields: Record<string, string[]> = {
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:iam/policy:Policy": ["policy"],
    "aws:iam/role:Role": ["assumeRolePolicy"],
    "aws:sqs/queuePolicy:QueuePolicy": ["policy"],
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": ["policy"],
  };
  return (fields[args.type] ?? [])
    .filter((field) => typeof args.props[field] === "string")
    .map((field) => {
      const document = JSON.parse(args.props[field]) as { Statement?: Statement | Statement[] };
      const statements =
        document.Statement === undefined ? [] : ([] as Statement[]).concat(document.Statement);
      return { field, statements };
    });
}

/** `POST /events` needs a key or a signature. */
export const noOpenIngress: ResourceValidationPolicy = {
  name: "no-open-ingress",
  description: "Every API method requires an API key or IAM (SigV4) authorization.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(Method, (method, _args, report) => {
    if (method.authorization === "NONE" && method.apiKeyRequired !== true) {
      report(`${method.httpMethod} is open to anyone: set auth to apiKey or iam`);
    }
  }),
};

/**
 * No Allow statement with a wildcard action, `NotAction` or `NotResource`; a wildcard resource only for actions
 * that accept no other (X-Ray's trace upload) and for the API Gateway account role's logging actions.
 */
export const noWildcardIam: ResourceValidationPolicy = {
  name: "no-wildcard-iam",
  description: "IAM statements name their actions and resources.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const loggingRole = urnType(args.opts.parent) === ACCOUNT_COMPONENT;
    for (const { field, statements } of documentsOf(args)) {
      for (const s of statements.filter((x) => x.Effect === "Allow")) {
        const actions = list(s.Action);
        if (s.NotAction !== undefined || s.NotResource !== undefined)
          report(`${field}: NotAction/NotResource in an Allow`);
        for (const action of actions.filter((a) => a.includes("*")))
          report(`${field}: wildcard action "${action}"`);
        if (list(s.Resource).includes("*")) {
          const allowed = actions.every(
            (a) =>
              RESOURCELESS_ACTIONS.includes(a) || (loggingRole && API_GATEWAY_LOGGING_ACTIONS.includes(a)),
          );
          if (!allowed) report(`${field}: resource "*" for ${actions.join(", ")}`);
        }
      }
    }
  },
};

/** Dead letters and failed events are data: encrypted at rest. */
export const encryptedQueues: ResourceValidationPolicy = {
  name: "encrypted-queues",
  description: "Every SQS queue is encrypted at rest (SQS-managed SSE or a KMS key).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(Queue, (queue, _args, report) => {
    if (queue.sqsManagedSseEnabled !== true && !queue.kmsMasterKeyId)
      report("the queue is not encrypted at rest");
  }),
};

/** Graviton: about 20% less per GB-second than x86_64 for the same code. */
export const lambdaArm64: ResourceValidationPolicy = {
  name: "lambda-arm64",
  description: "Lambda functions run on arm64.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(LambdaFunction, (fn, _args, report) => {
    const architectures = fn.architectures ?? ["x86_64"];
    if (architectures.length !== 1 || architectures[0] !== "arm64") {
      report(`runs on ${architectures.join(", ")}, not arm64`);
    }
  }),
};

/** One trace from the API through the bus to every processor. */
export const tracing: ResourceValidationPolicy = {
  name: "tracing",
  description: "Lambda functions use active X-Ray tracing and API stages trace.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(LambdaFunction, (fn, _args, report) => {
      if (fn.tracingConfig?.mode !== "Active") report("active tracing is off");
    }),
    validateResourceOfType(Stage, (stage, _args, report) => {
      if (stage.xrayTracingEnabled !== true) report("X-Ray tracing is off");
    }),
  ],
};

/** Every log group the stack owns expires. */
export const logRetention: ResourceValidationPolicy = {
  name: "log-retention",
  description: "Every log group has a retention.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(LogGroup, (group, _args, report) => {
    if (!group.retentionInDays || group.retentionInDays <= 0) report(`${group.name} never expires`);
  }),
};

/** No Lambda or stage writes to a log group AWS would create itself, with no retention. */
export const ownedLogGroups: StackValidationPolicy = {
  name: "owned-log-groups",
  description: "Every Lambda function and API stage logs to a group the stack owns (so it has a retention).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = new Set(
      args.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((r) => r.props.name),
    );
    for (const fn of args.resources.filter((r) => r.type === "aws:lambda/function:Function")) {
      const expected = fn.props.loggingConfig?.logGroup ?? `/aws/lambda/${fn.props.name}`;
      if (!groups.has(expected))
        report(`function ${fn.props.name} logs to ${expected}, which the stack does not own`, fn.urn);
    }
    for (const stage of args.resources.filter((r) => r.type === "aws:apigateway/stage:Stage")) {
      const expected = `API-Gateway-Execution-Logs_${stage.props.restApi}/${stage.props.stageName}`;
      if (!groups.has(expected)) {
        report(
          `stage ${stage.props.stageName} writes execution logs to ${expected}, which the stack does not own`,
          stage.urn,
        );
      }
    }
  },
};

/** An alarm watches `metric` of `namespace` with exactly these dimensions, and notifies someone. */
function alarmed(
  alarms: PolicyResource[],
  namespace: string,
  metric: string,
  dimensions: Record<string, string>,
): boolean {
  return alarms.some(
    (a) =>
      a.props.namespace === namespace &&
      a.props.metricName === metric &&
      JSON.stringify(Object.entries(a.props.dimensions ?? {}).sort()) ===
        JSON.stringify(Object.entries(dimensions).sort()) &&
      Array.isArray(a.props.alarmActions) &&
      a.props.alarmActions.length > 0,
  );
}

/**
 * Every way an event can be lost raises an alarm: a message in a queue (dead letter or failed event), one that
 * ages towards SQS's retention, a rule that failed to invoke or to dead-letter, a function that threw or could
 * not hand a failed event to its destination. Delivery itself must end in a queue: every target has a DLQ and
 * every function an on-failure destination.
 */
export const alarmsOnLossPaths: StackValidationPolicy = {
  name: "alarms-on-loss-paths",
  description:
    "Every queue, rule and function has alarms on the ways it can lose events, and losses end in a queue.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    const of = (type: string) => args.resources.filter((r) => r.type === type);
    const alarms = of("aws:cloudwatch/metricAlarm:MetricAlarm");
    const need = (
      r: PolicyResource,
      namespace: string,
      metric: string,
      dimensions: Record<string, string>,
    ) => {
      if (!alarmed(alarms, namespace, metric, dimensions)) {
        report(`no alarm on ${namespace} ${metric} for ${Object.values(dimensions).join("/")}`, r.urn);
      }
    };
    for (const queue of of("aws:sqs/queue:Queue")) {
      need(queue, "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queue.props.name });
      need(queue, "AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: queue.props.name });
    }
    for (const rule of of("aws:cloudwatch/eventRule:EventRule")) {
      const dimensions = { EventBusName: rule.props.eventBusName, RuleName: rule.props.name };
      need(rule, "AWS/Events", "FailedInvocations", dimensions);
      need(rule, "AWS/Events", "InvocationsFailedToBeSentToDlq", dimensions);
    }
    const invokeConfigs = of("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    for (const fn of of("aws:lambda/function:Function")) {
      need(fn, "AWS/Lambda", "Errors", { FunctionName: fn.props.name });
      need(fn, "AWS/Lambda", "DestinationDeliveryFailures", { FunctionName: fn.props.name });
      const config = invokeConfigs.find((c) => c.props.functionName === fn.props.name);
      if (!config?.props.destinationConfig?.onFailure?.destination) {
        report(
          `function ${fn.props.name} has no on-failure destination: a failed async event would be dropped`,
          fn.urn,
        );
      }
    }
    for (const target of of("aws:cloudwatch/eventTarget:EventTarget")) {
      if (!target.props.deadLetterConfig?.arn)
        report(`target of rule ${target.props.rule} has no dead-letter queue`, target.urn);
    }
  },
};

/** Every policy of the pack. */
export const POSTURE_POLICIES = [
  noOpenIngress,
  noWildcardIam,
  encryptedQueues,
  lambdaArm64,
  tracing,
  logRetention,
  ownedLogGroups,
  alarmsOnLossPaths,
];
