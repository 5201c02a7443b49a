/**
 * EventBridge's control plane on the local stack through the aws CLI (`--endpoint-url`), as a user would read
 * it.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { withStackAndClient, type Running } from "../helpers";
import {
  ACCOUNT,
  ARCHIVE,
  ARCHIVE_ARN,
  BUS,
  BUS_ARN,
  failure,
  functionArn,
  REGION,
  ruleArn,
  ruleNames,
} from "./stack-names";

const exec = promisify(execFile);

describe("local stack: EventBridge control plane through the aws CLI", function () {
  let server: Running;
  withStackAndClient((s) => (server = s));

  describe("the aws CLI with --endpoint-url", () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      // aws CLI v2 pipes output through a pager unless told not to.
      AWS_PAGER: "",
    };
    const aws = async (...args: string[]) => {
      const { stdout } = await exec(
        "aws",
        ["events", ...args, "--endpoint-url", server.url, "--output", "json"],
        {
          env,
        },
      );
      return JSON.parse(stdout) as Record<string, unknown>;
    };

    it("`list-rules --page-size 2` follows every NextToken and lists all rules", async () => {
      const out = await aws("list-rules", "--event-bus-name", BUS, "--page-size", "2");
      expect((out.Rules as { Name: string }[]).map((r) => r.Name)).to.deep.equal(ruleNames);
    });

    it("`list-rules --max-items 2` stops with a NextToken that `--starting-token` continues", async () => {
      const first = await aws("list-rules", "--event-bus-name", BUS, "--max-items", "2");
      expect((first.Rules as unknown[]).length).to.equal(2);
      const rest = await aws(
        "list-rules",
        "--event-bus-name",
        BUS,
        "--starting-token",
        first.NextToken as string,
      );
      expect(
        [...(first.Rules as { Name: string }[]), ...(rest.Rules as { Name: string }[])].map((r) => r.Name),
      ).to.deep.equal(ruleNames);
    });

    it("describes a rule, lists its targets and the rule of a target", async () => {
      const rule = await aws("describe-rule", "--name", `${BUS}-user-registered`, "--event-bus-name", BUS);
      expect(rule).to.include({ Arn: ruleArn("user-registered"), State: "ENABLED" });
      const targets = await aws(
        "list-targets-by-rule",
        "--rule",
        `${BUS}-user-registered`,
        "--event-bus-name",
        BUS,
      );
      expect(targets.Targets).to.deep.include.members([
        {
          Id: "user-registered",
          Arn: functionArn("user-registered"),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${BUS}-user-registered-dlq` },
        },
      ]);
      const names = await aws(
        "list-rule-names-by-target",
        "--target-arn",
        functionArn("user-registered"),
        "--event-bus-name",
        BUS,
      );
      expect(names.RuleNames).to.deep.equal([`${BUS}-user-registered`]);
      const buses = await aws("list-event-buses");
      expect((buses.EventBuses as { Name: string }[]).map((b) => b.Name)).to.deep.equal(["default", BUS]);
    });

    it("starts, describes, lists and cancels replays, and lists the archive", async () => {
      const archives = await aws("list-archives");
      expect((archives.Archives as { ArchiveName: string }[]).map((a) => a.ArchiveName)).to.deep.equal([
        ARCHIVE,
      ]);
      const started = await aws(
        "start-replay",
        "--replay-name",
        "cli-replay",
        "--event-source-arn",
        ARCHIVE_ARN,
        "--event-start-time",
        new Date(Date.now() - 60_000).toISOString(),
        "--event-end-time",
        new Date().toISOString(),
        "--destination",
        JSON.stringify({ Arn: BUS_ARN }),
      );
      expect(started).to.include({
        State: "STARTING",
        ReplayArn: `arn:aws:events:${REGION}:${ACCOUNT}:replay/cli-replay`,
      });
      const described = await aws("describe-replay", "--replay-name", "cli-replay");
      expect(described).to.include({ ReplayName: "cli-replay", EventSourceArn: ARCHIVE_ARN });
      const listed = await aws("list-replays", "--name-prefix", "cli-");
      expect((listed.Replays as { ReplayName: string }[]).map((r) => r.ReplayName)).to.deep.equal([
        "cli-replay",
      ]);
      // Too late to cancel a finished replay, else it is cancelled: either answer is AWS's.
      try {
        const cancelled = await aws("cancel-replay", "--replay-name", "cli-replay");
        expect(cancelled.State).to.equal("CANCELLING");
      } catch (err) {
        expect(String((err as { stderr?: string }).stderr)).to.contain("IllegalStatusException");
      }
    });

    it("`put-rule` fails with ManagedRuleException", async () => {
      const err = await failure(
        aws("put-rule", "--name", "mine", "--event-pattern", "{}", "--event-bus-name", BUS),
      );
      expect(String((err as { stderr?: string }).stderr)).to.contain("ManagedRuleException");
    });
  });
});
