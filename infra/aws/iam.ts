/**
 * The IAM policy documents of the stack, as plain JSON builders: every statement names its actions and its
 * resources, so the security spec can read them from the graph.
 */
/** Trust policy letting one AWS service assume a role. */
export function assumedBy(service: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  };
}

/** Exactly what a processor needs: its own logs, PutEvents on the bus, its idempotency records, its failure queue. */
export function processorPolicy(arns: {
  logGroupArn: string;
  busArn: string;
  tableArn: string;
  failureQueueArn: string;
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
      { Sid: "Emit", Effect: "Allow", Action: "events:PutEvents", Resource: arns.busArn },
      {
        Sid: "Idempotency",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
        Resource: arns.tableArn,
      },
      { Sid: "OnFailure", Effect: "Allow", Action: "sqs:SendMessage", Resource: arns.failureQueueArn },
    ],
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
