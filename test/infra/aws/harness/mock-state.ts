/**
 * What the mocked provider answers for a new resource: its inputs plus the computed attributes the program
 * reads (ARNs, names, URLs), in AWS's formats, so outputs that combine them look like the real ones.
 */
export const REGION = "ap-southeast-2";
export const ACCOUNT = "123456789012";
/** The project name (`Pulumi.yaml`) the program runs under. */
export const PROJECT = "event-backbone";
/** The stack name the program runs under. */
export const STACK = "dev";
/** What API Gateway would generate as the API key's value. */
export const MOCK_API_KEY_VALUE = "mock-api-key-0123456789abcdefghij";

export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  const physical =
    typeof inputs.name === "string"
      ? inputs.name
      : typeof inputs.namePrefix === "string"
        ? // The provider's unique suffix is 26 characters.
          `${inputs.namePrefix}20260101000000000000000001`
        : `${name}-0a1b2c3`;
  const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
  const kind = type.split(":")[2]?.toLowerCase() ?? "resource";
  const state: Record<string, unknown> = {
    ...inputs,
    name: physical,
    arn: `arn:aws:${service}:${REGION}:${ACCOUNT}:${kind}/${physical}`,
  };
  let id = `${name}-id`;
  switch (type) {
    case "aws:sqs/queue:Queue":
      state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`;
      state.arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${physical}`;
      id = state.url as string;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}`;
      state.invokeArn = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${state.arn}/invocations`;
      break;
    case "aws:cloudwatch/eventBus:EventBus":
      state.arn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${physical}`;
      id = physical;
      break;
    case "aws:cloudwatch/eventRule:EventRule":
      state.arn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${String(inputs.eventBusName)}/${physical}`;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physical}`;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::${ACCOUNT}:role/${physical}`;
      break;
    case "aws:dynamodb/table:Table":
      state.arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}`;
      break;
    case "aws:apigateway/restApi:RestApi":
      id = `${name}0api`;
      state.rootResourceId = `${name}0root`;
      state.executionArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}`;
      break;
    case "aws:apigateway/stage:Stage":
      state.invokeUrl = `https://${String(inputs.restApi)}.execute-api.${REGION}.amazonaws.com/${String(inputs.stageName)}`;
      break;
    case "aws:cloudwatch/dashboard:Dashboard":
      state.dashboardName = inputs.dashboardName;
      break;
    case "aws:cloudwatch/eventArchive:EventArchive":
      state.arn = `arn:aws:events:${REGION}:${ACCOUNT}:archive/${physical}`;
      break;
    case "aws:apigateway/apiKey:ApiKey":
      state.value = MOCK_API_KEY_VALUE;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${physical}`;
      break;
    case "aws:iam/policy:Policy":
      state.arn = `arn:aws:iam::${ACCOUNT}:policy/${physical}`;
      break;
  }
  return { id, state };
}
