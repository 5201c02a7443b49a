/**
 * What the stage logs and where: the access log format and the name API Gateway gives its execution log group.
 * Pure: no Pulumi import.
 */

/** One JSON object per request in the access log; `status` feeds the 429 rate metric (`monitoring.ts`). */
export const ACCESS_LOG_FORMAT = {
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
  traceId: "$context.xrayTraceId",
};

/**
 * The log group API Gateway writes a stage's execution logs to. It creates the group itself, with no expiry, unless
 * it exists: the stack creates it first (`Api`), with the stack's retention.
 */
export function executionLogGroupName(restApiId: string, stageName: string): string {
  return `API-Gateway-Execution-Logs_${restApiId}/${stageName}`;
}
