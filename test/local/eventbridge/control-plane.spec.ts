/**
 * EventBridge's control plane on the local stack, read by the real clients: the buses, rules, targets and
 * archive the routing table defines, with the names and ARNs the cloud stack gives them (a stack named
 * `local`), paged as AWS pages; writes refused with AWS's errors; replays on the local replay engine.
 */
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListEventBusesCommand,
  ListReplaysCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  type ListRulesCommandInput,
  type ListRulesCommandOutput,
} from "@aws-sdk/client-eventbridge";
import { createPaginator } from "@smithy/core";
import type { Paginator } from "@smithy/types";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { routes } from "../../../infra/routes";
import { accept, ebClient, fixture, request, startLocal, until, type Running } from "../helpers";

const exec = promisify(execFile);

const BUS = "event-backbone-local";
const ACCOUNT = "000000000000";
const REGION = "ap-southeast-2";
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;
const ARCHIVE = `${BUS}-api-events`;
const ARCHIVE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:archive/${ARCHIVE}`;
const ruleArn = (key: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${BUS}/${BUS}-${key}`;
const functionArn = (key: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${BUS}-${key}`;

/**
 * `paginateListRules` as the SDK would generate it: @aws-sdk/client-eventbridge 3.x ships no paginators (the
 * EventBridge model declares none), and every generated `paginateX` is this same `createPaginator` call.
 */
const paginateListRules = createPaginator(
  EventBridgeClient,
  ListRulesCommand,
  "NextToken",
  "NextToken",
  "Limit",
) as (
  config: { client: EventBridgeClient; pageSize?: number },
  input: ListRulesCommandInput,
) => Paginator<ListRulesCommandOutput>;

/** The error a call rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<Error & { name: string }> {
  return p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: Error) => e,
  );
}

describe("local stack: EventBridge control plane", function () {
  let server: Running;
  let client: EventBridgeClient;
  before(async () => {
    server = await startLocal();
    client = ebClient(server.url);
  });
  after(async () => {
    client?.destroy();
    await server?.stop();
  });

  const keys = routes.map((r) => r.key);
  const ruleNames = keys.map((k) => `${BUS}-${k}`).sort();

  describe("buses", () => {
    it("lists the default bus and the stack's bus, with their ARNs", async () => {
      const out = await client.send(new ListEventBusesCommand({}));
      expect(out.EventBuses?.map((b) => [b.Name, b.Arn])).to.deep.equal([
        ["default", `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`],
        [BUS, BUS_ARN],
      ]);
      expect(out.EventBuses?.[1].CreationTime).to.be.instanceOf(Date);
      const prefixed = await client.send(new ListEventBusesCommand({ NamePrefix: "event-" }));
      expect(prefixed.EventBuses?.map((b) => b.Name)).to.deep.equal([BUS]);
    });

    for (const name of [BUS, BUS_ARN, "backbone"]) {
      it(`describes the stack's bus named ${name}`, async () => {
        const out = await client.send(new DescribeEventBusCommand({ Name: name }));
        expect(out).to.deep.include({ Name: BUS, Arn: BUS_ARN });
      });
    }

    it("answers ResourceNotFoundException for a bus that does not exist", async () => {
      const err = await failure(client.send(new DescribeEventBusCommand({ Name: "nope" })));
      expect(err.name).to.equal("ResourceNotFoundException");
      expect(err.message).to.equal("Event bus nope does not exist.");
    });
  });

  describe("rules and targets", () => {
    it("lists one rule per row on the stack's bus, by name, with the row's pattern and description", async () => {
      const out = await client.send(new ListRulesCommand({ EventBusName: BUS }));
      expect(out.Rules?.map((r) => r.Name)).to.deep.equal(ruleNames);
      expect(out.NextToken).to.equal(undefined);
      const escalation = out.Rules?.find((r) => r.Name === `${BUS}-support-escalation`);
      const row = routes.find((r) => r.key === "support-escalation");
      expect(escalation).to.deep.equal({
        Name: `${BUS}-support-escalation`,
        Arn: ruleArn("support-escalation"),
        EventPattern: JSON.stringify(row?.pattern),
        State: "ENABLED",
        Description: row?.description,
        EventBusName: BUS,
      });
    });

    it("lists no rule on the default bus (ListRules without EventBusName), as on AWS", async () => {
      const out = await client.send(new ListRulesCommand({}));
      expect(out.Rules).to.deep.equal([]);
    });

    it("pages ListRules by Limit and NextToken, through the SDK's paginator", async () => {
      const pages: string[][] = [];
      for await (const page of paginateListRules({ client, pageSize: 4 }, { EventBusName: BUS })) {
        pages.push((page.Rules ?? []).map((r) => r.Name as string));
      }
      expect(pages.map((p) => p.length)).to.deep.equal([4, 2]);
      expect(pages.flat()).to.deep.equal(ruleNames);
    });

    it("filters ListRules by NamePrefix before paging", async () => {
      const first = await client.send(
        new ListRulesCommand({ EventBusName: BUS, NamePrefix: `${BUS}-support`, Limit: 1 }),
      );
      expect(first.Rules?.map((r) => r.Name)).to.deep.equal([`${BUS}-support-escalation`]);
      const second = await client.send(
        new ListRulesCommand({
          EventBusName: BUS,
          NamePrefix: `${BUS}-support`,
          Limit: 1,
          NextToken: first.NextToken,
        }),
      );
      expect(second.Rules?.map((r) => r.Name)).to.deep.equal([`${BUS}-support-ticket`]);
      expect(second.NextToken).to.equal(undefined);
    });

    const badPages: { name: string; input: ListRulesCommandInput; message: RegExp }[] = [
      { name: "a Limit of 0", input: { Limit: 0 }, message: /at 'limit' failed to satisfy constraint/ },
      { name: "a Limit of 101", input: { Limit: 101 }, message: /less than or equal to 100/ },
      { name: "a NextToken it never gave", input: { NextToken: "garbage" }, message: /NextToken/ },
    ];
    for (const c of badPages) {
      it(`answers ValidationException for ${c.name}`, async () => {
        const err = await failure(client.send(new ListRulesCommand({ EventBusName: BUS, ...c.input })));
        expect(err.name).to.equal("ValidationException");
        expect(err.message).to.match(c.message);
      });
    }

    it("describes a rule, and answers ResourceNotFoundException for one not on that bus", async () => {
      const out = await client.send(
        new DescribeRuleCommand({ Name: `${BUS}-order-created`, EventBusName: BUS }),
      );
      expect(out).to.deep.include({
        Name: `${BUS}-order-created`,
        Arn: ruleArn("order-created"),
        State: "ENABLED",
        EventBusName: BUS,
        CreatedBy: ACCOUNT,
      });
      expect(JSON.parse(out.EventPattern as string)).to.deep.equal({
        source: [{ prefix: "backbone." }],
        "detail-type": ["order-created"],
      });
      const err = await failure(client.send(new DescribeRuleCommand({ Name: `${BUS}-order-created` })));
      expect(err.name).to.equal("ResourceNotFoundException");
      expect(err.message).to.equal(`Rule ${BUS}-order-created does not exist on EventBus default.`);
    });

    it("lists a rule's target: the route's function, its retry policy and DLQ", async () => {
      const out = await client.send(
        new ListTargetsByRuleCommand({ Rule: `${BUS}-notification-sent`, EventBusName: BUS }),
      );
      expect(out.Targets).to.deep.equal([
        {
          Id: "notification-sent",
          Arn: functionArn("notification-sent"),
          RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${BUS}-notification-sent-dlq` },
        },
      ]);
    });

    it("finds the rule of a target ARN", async () => {
      const out = await client.send(
        new ListRuleNamesByTargetCommand({ TargetArn: functionArn("analytics-event"), EventBusName: BUS }),
      );
      expect(out.RuleNames).to.deep.equal([`${BUS}-analytics-event`]);
    });

    const writes: { name: string; send: () => Promise<unknown>; error: string }[] = [
      {
        name: "PutRule",
        send: () => client.send(new PutRuleCommand({ Name: "mine", EventBusName: BUS, EventPattern: "{}" })),
        error: "ManagedRuleException",
      },
      {
        name: "PutTargets",
        send: () =>
          client.send(
            new PutTargetsCommand({
              Rule: `${BUS}-order-created`,
              EventBusName: BUS,
              Targets: [{ Id: "x", Arn: "arn:aws:sqs:x" }],
            }),
          ),
        error: "ManagedRuleException",
      },
      {
        name: "CreateArchive",
        send: () => client.send(new CreateArchiveCommand({ ArchiveName: "mine", EventSourceArn: BUS_ARN })),
        error: "OperationDisabledException",
      },
    ];
    for (const w of writes) {
      it(`refuses ${w.name} with ${w.error}, saying the routing table is the source of truth`, async () => {
        const err = await failure(w.send());
        expect(err.name).to.equal(w.error);
        expect(err.message).to.contain("the routing table (infra/routes.ts) is the source of truth");
      });
    }
  });

  describe("the archive and replays", () => {
    it("lists and describes the archive: what entered through the API, counted", async () => {
      const before = await client.send(new DescribeArchiveCommand({ ArchiveName: ARCHIVE }));
      await accept(server.url, "user-registered", { ...fixture("user-registered").detail, userId: "ARCH-1" });
      const after = await client.send(new DescribeArchiveCommand({ ArchiveName: ARCHIVE }));
      expect(after).to.deep.include({
        ArchiveArn: ARCHIVE_ARN,
        ArchiveName: ARCHIVE,
        EventSourceArn: BUS_ARN,
        EventPattern: '{"source":["backbone.api"]}',
        State: "ENABLED",
        RetentionDays: 0,
      });
      expect((after.EventCount as number) - (before.EventCount as number)).to.equal(1);
      expect(after.SizeBytes).to.be.greaterThan(before.SizeBytes as number);
      const list = await client.send(new ListArchivesCommand({ EventSourceArn: BUS_ARN }));
      expect(list.Archives?.map((a) => a.ArchiveName)).to.deep.equal([ARCHIVE]);
      const err = await failure(client.send(new DescribeArchiveCommand({ ArchiveName: "other" })));
      expect(err.name).to.equal("ResourceNotFoundException");
    });

    it("starts a replay restricted to one rule, runs it to COMPLETED, lists it, and refuses to cancel it then", async () => {
      // The range holds exactly these two (the earlier cases' events are older).
      const start = new Date();
      const ids = [
        await accept(server.url, "support-ticket", {
          ...fixture("support-ticket.seed").detail,
          ticketId: "RP-1",
        }),
        await accept(server.url, "support-ticket", {
          ...fixture("support-ticket.seed").detail,
          ticketId: "RP-2",
        }),
      ];
      const end = new Date(Date.now() + 1000);
      const out = await client.send(
        new StartReplayCommand({
          ReplayName: "sdk-replay.1",
          EventSourceArn: ARCHIVE_ARN,
          EventStartTime: start,
          EventEndTime: end,
          Destination: { Arn: BUS_ARN, FilterArns: [ruleArn("support-escalation")] },
        }),
      );
      expect(out.ReplayArn).to.equal(`arn:aws:events:${REGION}:${ACCOUNT}:replay/sdk-replay.1`);
      expect(out.State).to.equal("STARTING");

      let described: Awaited<ReturnType<typeof describe>> | undefined;
      const describe = () => client.send(new DescribeReplayCommand({ ReplayName: "sdk-replay.1" }));
      expect(await until(async () => (described = await describe()).State === "COMPLETED")).to.equal(true);
      expect(described).to.deep.include({
        ReplayName: "sdk-replay.1",
        EventSourceArn: ARCHIVE_ARN,
        Destination: { Arn: BUS_ARN, FilterArns: [ruleArn("support-escalation")] },
      });
      expect(described?.EventLastReplayedTime).to.be.instanceOf(Date);
      expect(described?.ReplayEndTime).to.be.instanceOf(Date);

      for (const id of ids) {
        const tree = await request(`${server.url}/local/events/${id}`);
        const replays = tree.body.replays as {
          event: Record<string, unknown>;
          routes: { routeKey: string }[];
        }[];
        expect(replays).to.have.length(1);
        expect(replays[0].event["replay-name"]).to.equal("sdk-replay.1");
        // FilterArns: only the escalation rule received the replayed ticket.
        expect(replays[0].routes.map((r) => r.routeKey)).to.deep.equal(["support-escalation"]);
      }
      const local = await request(`${server.url}/local/replays/sdk-replay.1`);
      expect(local.body).to.include({ state: "COMPLETED", replayed: 2, total: 2 });

      const listed = await client.send(new ListReplaysCommand({ NamePrefix: "sdk-" }));
      expect(listed.Replays?.map((r) => [r.ReplayName, r.State])).to.deep.equal([
        ["sdk-replay.1", "COMPLETED"],
      ]);
      const err = await failure(client.send(new CancelReplayCommand({ ReplayName: "sdk-replay.1" })));
      expect(err.name).to.equal("IllegalStatusException");
    });

    const refused: { name: string; input: Record<string, unknown>; error: string }[] = [
      { name: "a name with a space", input: { ReplayName: "bad name" }, error: "ValidationException" },
      {
        name: "a name of 65 characters",
        input: { ReplayName: "r".repeat(65) },
        error: "ValidationException",
      },
      {
        name: "another archive",
        input: { EventSourceArn: `${ARCHIVE_ARN}-x` },
        error: "ResourceNotFoundException",
      },
      {
        name: "another bus as destination",
        input: { Destination: { Arn: `${BUS_ARN}-x` } },
        error: "ValidationException",
      },
      {
        name: "a rule of no route in FilterArns",
        input: { Destination: { Arn: BUS_ARN, FilterArns: [ruleArn("nope")] } },
        error: "ResourceNotFoundException",
      },
      { name: "an end before the start", input: { EventEndTime: new Date(0) }, error: "ValidationException" },
    ];
    for (const c of refused) {
      it(`refuses StartReplay with ${c.name}: ${c.error}`, async () => {
        const input = {
          ReplayName: "refused",
          EventSourceArn: ARCHIVE_ARN,
          EventStartTime: new Date(1000),
          EventEndTime: new Date(),
          Destination: { Arn: BUS_ARN },
          ...c.input,
        };
        const err = await failure(client.send(new StartReplayCommand(input as never)));
        expect(err.name).to.equal(c.error);
      });
    }

    it("refuses a second replay of the same name (ResourceAlreadyExistsException) and an unknown one (ResourceNotFoundException)", async () => {
      const input = {
        ReplayName: "twice",
        EventSourceArn: ARCHIVE_ARN,
        EventStartTime: new Date(1000),
        EventEndTime: new Date(2000),
        Destination: { Arn: BUS_ARN },
      };
      await client.send(new StartReplayCommand(input));
      expect((await failure(client.send(new StartReplayCommand(input)))).name).to.equal(
        "ResourceAlreadyExistsException",
      );
      expect((await failure(client.send(new DescribeReplayCommand({ ReplayName: "never" })))).name).to.equal(
        "ResourceNotFoundException",
      );
    });
  });

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
