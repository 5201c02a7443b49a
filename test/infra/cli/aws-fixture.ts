/**
 * What every spec of `backbone` against AWS shares: a local stack whose EventBridge API stands in for AWS's
 * (`--endpoint-url`), the stack outputs in a file, and `aws-sdk-client-mock`s of SQS, Lambda and CloudWatch
 * Logs, reset before each test. Call `awsCli()` inside the spec's top `describe`: it registers the hooks there.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { startLocal, type Running } from "../../local/helpers";
import { tempDir } from "../../support/temp";
import { cli } from "./helpers";
import { outputsFile } from "./outputs";

/** The SDK clients' settings for the CLI: test credentials, no retries. */
export const CREDENTIALS = { credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };

export function awsCli() {
  let server: Running | undefined;
  let temp: ReturnType<typeof tempDir> | undefined;
  let aws: string[] = [];
  const sqs = mockClient(SQSClient);
  const lambda = mockClient(LambdaClient);
  const logs = mockClient(CloudWatchLogsClient);

  before(async () => {
    server = await startLocal();
    temp = tempDir("backbone-cli-aws-");
    aws = ["--outputs", outputsFile(temp.dir), "--endpoint-url", server.url];
  });
  beforeEach(() => {
    sqs.reset();
    lambda.reset();
    logs.reset();
  });
  after(async () => {
    sqs.restore();
    lambda.restore();
    logs.restore();
    await server?.stop();
    temp?.remove();
  });

  return {
    sqs,
    lambda,
    logs,
    /** The local stack (set once the `before` hook ran). */
    server: () => server as Running,
    /** The folder holding the outputs file. */
    dir: () => (temp as ReturnType<typeof tempDir>).dir,
    /** `--outputs FILE --endpoint-url URL`, for a CLI started another way. */
    args: () => aws,
    /** Runs `backbone` with those flags first. */
    run: (argv: string[], io = {}) => cli([...aws, ...argv], { awsClientConfig: CREDENTIALS, ...io }),
    /** SQS answers each queue URL's depth from `depths`, 0 for every other queue. */
    queueDepth(depths: Record<string, number>) {
      sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
        Attributes: { ApproximateNumberOfMessages: String(depths[input.QueueUrl] ?? 0) },
      }));
    },
  };
}
