/**
 * `backbone` against AWS, from the stack outputs: EventBridge calls go to the local stack's own EventBridge API
 * (`--endpoint-url`, which answers them as AWS does), SQS, Lambda and CloudWatch Logs are
 * `aws-sdk-client-mock`s, whose recorded calls show what the CLI asks of AWS.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { accept, fixture, request, startLocal, until, waitFor, type Running } from "../../local/helpers";
import { freePort } from "../../support/net";
import { tempDir } from "../../support/temp";
import { cli, startCli } from "./helpers";
import { ACCOUNT, REGION, arns, localOutputs, names, outputsFile } from "./outputs";

const CREDENTIALS = { credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
const outputs = localOutputs();
const order = outputs.routeResources["order-created"];
const support = outputs.routeResources["support-ticket"];

describe("backbone CLI against AWS (EventBridge: the local stack's API; SQS, Lambda, Logs: mocks)", function () {
  let server: Running;
  let temp: ReturnType<typeof tempDir>;
  let aws: string[];
  const sqs = mockClient(SQSClient);
  const lambda = mockClient(LambdaClient);
  const logs = mockClient(CloudWatchLogsClient);
  const run = (argv: string[], io = {}) => cli([...aws, ...argv], { awsClientConfig: CREDENTIALS, ...io });

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

  /** SQS answers `count` messages for `url` and 0 for every other queue. */
  function queueDepth(depths: Record<string, number>) {
    sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
      Attributes: { ApproximateNumberOfMessages: String(depths[input.QueueUrl] ?? 0) },
    }));
  }

  describe("routes and health (ListRules, ListTargetsByRule, DescribeEventBus, queue depths)", () => {
    it("routes: each rule of the bus with its route key, state, dead letters (DLQ + failure queue) and target", async () => {
      queueDepth({ [order.dlqUrl]: 2, [order.failureQueueUrl]: 1 });

      const { code, stdout, stderr } = await run(["routes"]);

      expect(code, stderr).to.equal(0);
      const rows = stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/\s{2,}/));
      expect(rows[0]).to.deep.equal(["ROUTE", "RULE", "STATE", "DLQ", "TARGET"]);
      expect(rows.slice(1).map((r) => r[0])).to.deep.equal(routes.map((r) => r.key));
      expect(rows[1]).to.deep.equal([
        "order-created",
        names.route("order-created").rule,
        "ENABLED",
        "3",
        names.route("order-created").function,
      ]);
      const asked = sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input.QueueUrl);
      expect(asked).to.have.members(
        Object.values(outputs.routeResources).flatMap((r) => [r.dlqUrl, r.failureQueueUrl]),
      );
    });

    it("health: the bus, its rules' states and where dead letters wait", async () => {
      queueDepth({ [support.failureQueueUrl]: 4 });

      const { code, stdout } = await run(["health"]);

      expect(code).to.equal(0);
      expect(stdout).to.equal(
        [
          `target:       stack of ${names.bus} (${REGION})`,
          "status:       ok",
          `bus:          ${names.bus} (${arns.bus})`,
          `rules:        ${routes.length} of ${routes.length} enabled`,
          "dead letters: 4 (support-ticket failed 4)",
          "",
        ].join("\n"),
      );
    });
  });

  describe("replay (StartReplay restricted by Destination.FilterArns, DescribeReplay)", () => {
    it("replays the archive to the route's rule only, polling DescribeReplay to COMPLETED", async () => {
      const from = new Date(Date.now() - 2000).toISOString();
      const id = await accept(server.url, "support-ticket", fixture("support-ticket.seed").detail);
      await waitFor(server.url, id);

      const { code, stdout, stderr } = await run([
        "replay",
        "--from",
        from,
        "--route",
        "support-ticket",
        "--name",
        "aws-1",
      ]);

      expect(code, stderr).to.equal(0);
      expect(stdout.trimEnd().split("\n").slice(-2)).to.deep.equal([
        "aws-1: COMPLETED 100%",
        "replay aws-1 COMPLETED",
      ]);
      // What the local engine was asked: the archive, the bus, and the one rule.
      const replay = (await request(`${server.url}/local/replays/aws-1`)).body;
      expect(replay).to.include({ state: "COMPLETED", replayArn: arns.replay("aws-1") });
      expect(replay.routes).to.deep.equal(["support-ticket"]);
    });

    it("a replay name already taken is EventBridge's error, one line, exit 1", async () => {
      const { code, stderr } = await run(["replay", "--from", "1h", "--name", "aws-1"]);
      expect(code).to.equal(1);
      expect(stderr).to.match(
        /^backbone: EventBridge in ap-southeast-2: ResourceAlreadyExistsException: .*aws-1.*\n$/,
      );
    });
  });

  describe("dlq list and redrive (SQS ReceiveMessage, Lambda Invoke)", () => {
    const dlqMessage = {
      MessageId: "m-1",
      ReceiptHandle: "r-1",
      Body: JSON.stringify({
        id: "evt-1",
        "detail-type": "order-created",
        source: "backbone.api",
        detail: {},
      }),
      Attributes: { SentTimestamp: "1765000000000" },
      MessageAttributes: {
        ERROR_CODE: { DataType: "String", StringValue: "Lambda.TooManyRequestsException" },
        ERROR_MESSAGE: { DataType: "String", StringValue: "Rate exceeded" },
        RETRY_ATTEMPTS: { DataType: "Number", StringValue: "3" },
      },
    };
    const otherDlqMessage = { ...dlqMessage, MessageId: "m-2", ReceiptHandle: "r-2" };
    const failureRecord = {
      MessageId: "m-3",
      ReceiptHandle: "r-3",
      Body: JSON.stringify({
        timestamp: "2026-12-06T10:00:00.000Z",
        requestContext: { functionArn: "arn:…", condition: "RetriesExhausted", approximateInvokeCount: 3 },
        requestPayload: { id: "evt-3", "detail-type": "support-ticket", detail: { ticketId: "T-3" } },
        responsePayload: { errorType: "Error", errorMessage: "downstream unavailable" },
      }),
    };

    /** Each queue answers its messages to the first ReceiveMessage, then nothing. */
    function queues(messages: Record<string, object[]>) {
      queueDepth(Object.fromEntries(Object.entries(messages).map(([url, m]) => [url, m.length])));
      sqs.on(ReceiveMessageCommand).resolves({});
      for (const [url, m] of Object.entries(messages)) {
        sqs.on(ReceiveMessageCommand, { QueueUrl: url }).resolvesOnce({ Messages: m }).resolves({});
      }
    }

    it("dlq list: peeks at both queues of each route, then makes the messages visible again", async () => {
      queues({ [order.dlqUrl]: [dlqMessage], [support.failureQueueUrl]: [failureRecord] });

      const { code, stdout, stderr } = await run(["dlq", "list"]);

      expect(code, stderr).to.equal(0);
      const rows = stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/\s{2,}/));
      expect(rows[0]).to.deep.equal([
        "ID",
        "ROUTE",
        "QUEUE",
        "EVENT",
        "ATTEMPTS",
        "DEAD-LETTERED AT",
        "ERROR",
      ]);
      expect(rows.slice(1, 3)).to.deep.equal([
        [
          "m-1",
          "order-created",
          "dlq",
          "evt-1",
          "4",
          "2025-12-06T05:46:40.000Z",
          "Lambda.TooManyRequestsException: Rate exceeded",
        ],
        [
          "m-3",
          "support-ticket",
          "failed",
          "evt-3",
          "3",
          "2026-12-06T10:00:00.000Z",
          "Error: downstream unavailable",
        ],
      ]);
      expect(rows[3]).to.deep.equal(["2 dead letters"]);
      const receives = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
      expect(receives.map((r) => r.QueueUrl)).to.have.members([
        order.dlqUrl,
        order.dlqUrl,
        support.failureQueueUrl,
        support.failureQueueUrl,
      ]);
      for (const r of receives) {
        expect(r).to.deep.include({
          VisibilityTimeout: 30,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        });
      }
      const released = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
      expect(released).to.deep.equal([
        { QueueUrl: order.dlqUrl, Entries: [{ Id: "0", ReceiptHandle: "r-1", VisibilityTimeout: 0 }] },
        {
          QueueUrl: support.failureQueueUrl,
          Entries: [{ Id: "0", ReceiptHandle: "r-3", VisibilityTimeout: 0 }],
        },
      ]);
      expect(lambda.commandCalls(InvokeCommand)).to.have.length(0);
      expect(sqs.commandCalls(DeleteMessageBatchCommand)).to.have.length(0);
    });

    it("dlq list --route: only that route's two queues", async () => {
      queues({ [order.dlqUrl]: [dlqMessage] });
      const { code, stdout } = await run(["dlq", "list", "--route", "support-ticket"]);
      expect(code).to.equal(0);
      expect(stdout).to.equal("no dead letters for route support-ticket\n");
      const asked = sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input.QueueUrl);
      expect(asked).to.deep.equal([support.dlqUrl, support.failureQueueUrl]);
    });

    it("dlq redrive --ids: invokes the route's function with the event (async), deletes it, releases the rest", async () => {
      queues({ [order.dlqUrl]: [dlqMessage, otherDlqMessage] });
      lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

      const { code, stdout, stderr } = await run([
        "dlq",
        "redrive",
        "--route",
        "order-created",
        "--ids",
        "m-1",
      ]);

      expect(code, stderr).to.equal(0);
      expect(stdout).to.equal("redriven 1: m-1\n");
      const invokes = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
      expect(invokes).to.have.length(1);
      expect(invokes[0]).to.deep.include({ FunctionName: order.functionName, InvocationType: "Event" });
      expect(Buffer.from(invokes[0].Payload as Uint8Array).toString()).to.equal(dlqMessage.Body);
      expect(sqs.commandCalls(DeleteMessageBatchCommand).map((c) => c.args[0].input)).to.deep.equal([
        { QueueUrl: order.dlqUrl, Entries: [{ Id: "0", ReceiptHandle: "r-1" }] },
      ]);
      expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input)).to.deep.equal(
        [{ QueueUrl: order.dlqUrl, Entries: [{ Id: "0", ReceiptHandle: "r-2", VisibilityTimeout: 0 }] }],
      );
      for (const r of sqs.commandCalls(ReceiveMessageCommand))
        expect(r.args[0].input.VisibilityTimeout).to.equal(120);
    });

    it("dlq redrive of a failure queue invokes with the record's requestPayload", async () => {
      queues({ [support.failureQueueUrl]: [failureRecord] });
      lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

      const { code, stdout } = await run(["dlq", "redrive", "--route", "support-ticket"]);

      expect(code).to.equal(0);
      expect(stdout).to.equal("redriven 1: m-3\n");
      const [invoke] = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
      expect(invoke.FunctionName).to.equal(support.functionName);
      expect(JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString())).to.deep.equal(
        JSON.parse(failureRecord.Body).requestPayload,
      );
      expect(sqs.commandCalls(DeleteMessageBatchCommand)).to.have.length(1);
    });

    it("dlq redrive: a failed invoke keeps the message (made visible again) and exits 1; an unknown id is named", async () => {
      queues({ [order.dlqUrl]: [dlqMessage] });
      lambda
        .on(InvokeCommand)
        .rejects(
          Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException", $metadata: {} }),
        );

      const { code, stdout } = await run(["dlq", "redrive", "--route", "order-created", "--ids", "m-1,m-9"]);

      expect(code).to.equal(1);
      expect(stdout).to.equal(
        [
          "redriven 0",
          "not redriven m-1: Lambda in ap-southeast-2: TooManyRequestsException: Rate exceeded",
          "not redriven m-9: not in the route's DLQ or failure queue",
          "",
        ].join("\n"),
      );
      expect(sqs.commandCalls(DeleteMessageBatchCommand)).to.have.length(0);
      expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0].args[0].input.Entries).to.deep.equal([
        { Id: "0", ReceiptHandle: "r-1", VisibilityTimeout: 0 },
      ]);
    });
  });

  describe("events tail and show (CloudWatch Logs)", () => {
    const logGroupArn = (key: string) => arns.logGroup(names.route(key).logGroup);

    /** A Live Tail session: it starts, sends `lines` of `key`'s log group, then stays open until aborted. */
    function liveTail(key: string, lines: string[]) {
      logs.on(StartLiveTailCommand).callsFake((_input, _client) => ({
        responseStream: (async function* (): AsyncGenerator<StartLiveTailResponseStream> {
          yield { sessionStart: { sessionId: "s-1" } };
          yield {
            sessionUpdate: {
              sessionResults: lines.map((message, i) => ({
                logGroupIdentifier: logGroupArn(key),
                message,
                timestamp: 1765000000000 + i,
              })),
            },
          };
          await new Promise(() => undefined);
        })(),
      }));
    }

    it("events tail: one Live Tail session on every processor's log group, JSON lines shown by field, Lambda's own lines left out", async () => {
      liveTail("order-created", [
        JSON.stringify({
          level: "info",
          msg: "processed",
          time: "…",
          eventId: "evt-1",
          routeKey: "order-created",
          processor: "order",
          durationMs: 12,
        }),
        "START RequestId: 1 Version: $LATEST",
        "a line that is not JSON",
      ]);

      const tail = startCli([...aws, "events", "tail"], { awsClientConfig: CREDENTIALS });
      const seen = await until(() => tail.stdout.text.includes("not JSON"));
      const code = await tail.stop();

      expect(seen, tail.stdout.text + tail.stderr.text).to.equal(true);
      expect(code).to.equal(0);
      expect(tail.stderr.text).to.equal(`following stack of ${names.bus} (${REGION}) (Ctrl-C to stop)\n`);
      expect(tail.stdout.text).to.equal(
        [
          "05:46:40.000Z log      evt-1 order-created info processed event=evt-1 processor=order durationMs=12",
          "05:46:40.002Z log       order-created a line that is not JSON",
          "",
        ].join("\n"),
      );
      const [call] = logs.commandCalls(StartLiveTailCommand);
      expect(call.args[0].input.logGroupIdentifiers).to.deep.equal(routes.map((r) => logGroupArn(r.key)));
      expect(logGroupArn("order-created")).to.equal(
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/event-backbone-local-order-created`,
      );
    });

    it("events tail --detail-type: only the log groups of the routes whose rule receives it (patterns from ListRules)", async () => {
      liveTail("support-ticket", []);
      const tail = startCli([...aws, "events", "tail", "--detail-type", "support-ticket"], {
        awsClientConfig: CREDENTIALS,
      });
      await until(() => tail.stderr.text.includes("following"));
      await tail.stop();
      const [call] = logs.commandCalls(StartLiveTailCommand);
      expect(call.args[0].input.logGroupIdentifiers).to.deep.equal([
        logGroupArn("support-ticket"),
        logGroupArn("support-escalation"),
      ]);

      const none = await run(["events", "tail", "--detail-type", "nothing-sends-this"]);
      expect(none).to.deep.include({
        code: 2,
        stderr: "backbone: no route receives detail-type nothing-sends-this\n",
      });
      const unknown = await run(["events", "tail", "--route", "no-such-route"]);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.match(/^backbone: unknown route no-such-route \(routes: order-created, /);
    });

    it("events show ID: each log group searched for the event's JSON lines since --since, drawn by route", async () => {
      const now = Date.parse("2026-12-06T12:00:00Z");
      logs.on(FilterLogEventsCommand).resolves({ events: [] });
      logs.on(FilterLogEventsCommand, { logGroupName: order.logGroupName }).resolves({
        events: [
          {
            timestamp: now - 5000,
            message: JSON.stringify({
              level: "info",
              msg: "processed",
              eventId: "evt-1",
              routeKey: "order-created",
            }),
          },
          {
            timestamp: now - 4000,
            message: JSON.stringify({
              level: "info",
              msg: "emitted",
              eventId: "evt-1",
              routeKey: "order-created",
              detailTypes: ["notification-sent"],
            }),
          },
        ],
      });

      const { code, stdout, stderr } = await run(["events", "show", "evt-1", "--since", "2h"], {
        now: () => now,
      });

      expect(code, stderr).to.equal(0);
      expect(stdout).to.equal(
        [
          "evt-1: processors' log lines (CloudWatch Logs)",
          `└─ route order-created (${order.logGroupName})`,
          "   ├─ 2026-12-06T11:59:55.000Z order-created info processed event=evt-1",
          '   └─ 2026-12-06T11:59:56.000Z order-created info emitted event=evt-1 detailTypes=["notification-sent"]',
          "",
        ].join("\n"),
      );
      const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
      expect(calls.map((c) => c.logGroupName)).to.have.members(
        Object.values(outputs.routeResources).map((r) => r.logGroupName),
      );
      for (const c of calls)
        expect(c).to.deep.include({
          filterPattern: '{ $.eventId = "evt-1" }',
          startTime: now - 2 * 3_600_000,
        });
    });

    it("events show: an event no processor logged is exit 1, naming the window", async () => {
      logs.on(FilterLogEventsCommand).resolves({ events: [] });
      const { code, stderr } = await run(["events", "show", "evt-0"]);
      expect(code).to.equal(1);
      expect(stderr).to.equal("backbone: no processor logged event evt-0 in the last 24 h\n");
    });
  });

  describe("where the outputs come from, and what is wrong with them", () => {
    it("reads them from standard input with --outputs - (or piped with --region)", async () => {
      queueDepth({});
      const { Readable } = await import("node:stream");
      for (const flags of [
        ["--outputs", "-"],
        ["--region", REGION],
      ]) {
        const stdin = Readable.from([JSON.stringify(outputs)]);
        const { code, stdout, stderr } = await cli([...flags, "--endpoint-url", server.url, "health"], {
          stdin,
          awsClientConfig: CREDENTIALS,
        });
        expect(code, stderr).to.equal(0);
        expect(stdout).to.contain("status:       ok");
      }
    });

    it("runs `pulumi stack output --json --stack NAME` with --stack", async () => {
      queueDepth({});
      const bin = tempDir("backbone-cli-pulumi-");
      try {
        const { writeFileSync, chmodSync } = await import("node:fs");
        const fake = `${bin.dir}/pulumi`;
        writeFileSync(
          fake,
          `#!/bin/sh\n[ "$*" = "stack output --json --stack team.dev" ] || { echo "unexpected: $*" >&2; exit 3; }\ncat ${outputsFile(bin.dir, outputs, "o.json")}\n`,
        );
        chmodSync(fake, 0o755);
        const env = { PATH: `${bin.dir}:/usr/bin:/bin` };
        const { code, stdout, stderr } = await cli(
          ["--stack", "team.dev", "--endpoint-url", server.url, "health"],
          { env, awsClientConfig: CREDENTIALS },
        );
        expect(code, stderr).to.equal(0);
        expect(stdout).to.match(/^target: +stack team\.dev \(ap-southeast-2\)\n/);

        const failing = await cli(["--stack", "other", "health"], { env });
        expect(failing).to.deep.include({
          code: 2,
          stderr:
            "backbone: pulumi stack output --stack other failed: unexpected: stack output --json --stack other\n",
        });
      } finally {
        bin.remove();
      }
    });

    const bad: { what: string; outputs: unknown; says: string }[] = [
      {
        what: "no Pulumi CLI",
        outputs: undefined,
        says: "the Pulumi CLI is not on PATH: install it, or pass the outputs with --outputs FILE (pulumi stack output --json --stack dev > FILE)",
      },
      { what: "not JSON", outputs: "{busName", says: "the stack outputs from FILE are not JSON (" },
      {
        what: "a stack without routeResources",
        outputs: { ...outputs, routeResources: undefined },
        says: "stack output routeResources is missing from FILE (deploy this version of the stack with pulumi up)",
      },
      {
        what: "no archiveArn",
        outputs: { ...outputs, archiveArn: undefined },
        says: "stack output archiveArn is missing from FILE",
      },
      {
        what: "a route without its log group",
        outputs: {
          ...outputs,
          routeResources: {
            ...outputs.routeResources,
            "order-created": { ...order, logGroupName: undefined },
          },
        },
        says: "stack output routeResources.order-created.logGroupName is missing from FILE",
      },
      {
        what: "a busArn that is none",
        outputs: { ...outputs, busArn: "backbone" },
        says: "stack output busArn from FILE is not an event bus ARN: backbone",
      },
    ];
    for (const { what, outputs: given, says } of bad) {
      it(`${what}: one line, exit 2, before any AWS call`, async () => {
        const file = given === undefined ? undefined : outputsFile(temp.dir, given, "bad.json");
        const flags = file ? ["--outputs", file] : ["--stack", "dev"];
        const { code, stdout, stderr } = await cli([...flags, "routes"], { env: { PATH: "/nonexistent" } });
        expect(code).to.equal(2);
        expect(stdout).to.equal("");
        expect(stderr.startsWith(`backbone: ${file ? says.replace("FILE", file) : says}`), stderr).to.equal(
          true,
        );
        expect(stderr.split("\n")).to.have.length(2);
        expect(sqs.calls()).to.have.length(0);
      });
    }

    it("--region without outputs on a terminal asks for them", async () => {
      const { code, stderr } = await cli(["--region", REGION, "routes"], {
        stdin: Object.assign((await import("node:stream")).Readable.from([]), { isTTY: true }),
      });
      expect(code).to.equal(2);
      expect(stderr).to.equal(
        "backbone: AWS needs the stack outputs: --stack NAME, --outputs FILE, or pipe `pulumi stack output --json` in\n",
      );
    });

    it("an endpoint that does not answer: one line naming the service, exit 2", async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const { code, stderr } = await cli(["--outputs", aws[1], "--endpoint-url", closed, "routes"], {
        awsClientConfig: CREDENTIALS,
      });
      expect(code).to.equal(2);
      expect(stderr).to.equal(`backbone: cannot reach EventBridge in ${REGION} (ECONNREFUSED)\n`);
    });

    it("--url with AWS flags is refused: the target would be ambiguous", async () => {
      const { code, stderr } = await run(["--url", server.url, "routes"]);
      expect(code).to.equal(2);
      expect(stderr).to.match(/^backbone: --url is the local stack's/);
    });
  });
});
