/**
 * `backbone dlq list` and `dlq redrive` against AWS: the DLQs are SQS queues (`aws-sdk-client-mock`), and a
 * redrive invokes the route's Lambda with each message (aws-fixture.ts has the setup).
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { localOutputs } from "./outputs";
import { awsCli } from "./aws-fixture";

const outputs = localOutputs();
const order = outputs.routeResources["order-created"];
const support = outputs.routeResources["support-ticket"];

describe("backbone CLI against AWS: the DLQs", function () {
  const { sqs, lambda, run, queueDepth } = awsCli();

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
});
