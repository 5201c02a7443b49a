/**
 * The IAM policy documents of the stack, as plain JSON builders: every statement names its actions and its
 * resources (except X-Ray's, which has no resource-level permissions), so the security spec and the policy
 * pack can read them from the graph.
 */

/** Put events only with `source`: `events:source` is multi-valued in a batch, so every entry must match. */
export function onlySource(source: string) {
  return { "ForAllValues:StringEquals": { "events:source": [source] } };
}

/**
 * Actions that accept no resource but `*`: X-Ray's trace upload (active tracing) has no resource-level
 * permissions. The security spec and the policy pack allow a wildcard resource for these and nothing else.
 */
export const RESOURCELESS_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;
/** Trust policy letting one AWS service assume a role. */
export function assumedBy(service: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  };
}

/**
 * Exactly what a processor needs: its own logs, PutEvents on the bus with its own source, its idempotency
 * records, its failure queue, and X-Ray's trace upload.
 */
export function processorPolicy(arns: {
  logGroupArn: string;
  busArn: string;
  tableArn: string;
  failureQueueArn: string;
  /** The only source the processor may emit with (`processorSource(name)`). */
  source: string;
}) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${arns.logGroupArn}:*`,
      },
      {
        Sid: "Emit",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: arns.busArn,
        Condition: onlySource(arns.source),
      },
      {
        Sid: "Idempotency",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
        Resource: arns.tableArn,
      },
      { Sid: "OnFailure", Effect: "Allow", Action: "sqs:SendMessage", Resource: arns.failureQueueArn },
      { Sid: "Tracing", Effect: "Allow", Action: [...RESOURCELESS_ACTIONS], Resource: "*" },
    ],
  };
}

/** What the API's integration role may do: put events on the bus, with the API's source only. */
export function apiPutEventsPolicy(busArn: string, source: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Ingress",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: busArn,
        Condition: onlySource(source),
      },
    ],
  };
}

/** One principal allowed to put events on the bus, and the one source it may use. */
export interface BusProducer {
  readonly roleArn: string;
  readonly source: string;
}

/** EventBridge's default quota on a bus policy ("Event bus policy size", in characters; adjustable). */
export const BUS_POLICY_MAX_CHARS = 10240;

/**
 * The bus's resource policy. Inside one account an identity policy alone is enough to put events, so the
 * policy works by denial: PutEvents is denied to every principal but the stack's producers, and to each
 * producer for any source but its own. Principals are matched by `aws:PrincipalArn` (not named in `Principal`),
 * so a role replaced under the same name needs no policy update.
 *
 * `perSource` is false when the per-producer statements would not fit in `maxChars`: the policy then only
 * keeps other principals out, and each role's own policy (`onlySource`) still pins its source.
 */
export function busPolicy(
  busArn: string,
  producers: readonly BusProducer[],
  maxChars = BUS_POLICY_MAX_CHARS,
): { document: ReturnType<typeof busPolicyDocument>; perSource: boolean } {
  const full = busPolicyDocument(busArn, producers, true);
  if (JSON.stringify(full).length <= maxChars) return { document: full, perSource: true };
  return { document: busPolicyDocument(busArn, producers, false), perSource: false };
}

function busPolicyDocument(busArn: string, producers: readonly BusProducer[], perSource: boolean) {
  const deny = (condition: Record<string, Record<string, string | string[]>>) => ({
    Effect: "Deny",
    Principal: "*",
    Action: "events:PutEvents",
    Resource: busArn,
    Condition: condition,
  });
  return {
    Version: "2012-10-17",
    Statement: [
      deny({ ArnNotEquals: { "aws:PrincipalArn": producers.map((p) => p.roleArn) } }),
      ...(perSource
        ? producers.map((p) =>
            deny({
              ArnEquals: { "aws:PrincipalArn": p.roleArn },
              "ForAnyValue:StringNotEquals": { "events:source": [p.source] },
            }),
          )
        : []),
    ],
  };
}

/** A managed policy a caller attaches to invoke `POST /events` when the API uses IAM auth. */
export function invokePolicy(methodArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "PostEvents", Effect: "Allow", Action: "execute-api:Invoke", Resource: methodArn }],
  };
}

/** Only this route's rule may drop undeliverable events into its DLQ. */
export function dlqPolicy(queueArn: string, ruleArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RuleDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
      },
    ],
  };
}
