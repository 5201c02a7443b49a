/**
 * EventBridge's archive and replays on the local stack, read and driven by the real client: the archive the
 * routing table defines, StartReplay, DescribeReplay, ListReplays and CancelReplay on the local replay engine.
 */
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  ListRulesCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import { accept, fixture, request, until, withStackAndClient, type Running } from "../helpers";
import { ACCOUNT, ARCHIVE, ARCHIVE_ARN, BUS_ARN, failure, REGION, ruleArn } from "./stack-names";

describe("local stack: EventBridge control plane, the archive and replays", function () {
  let server: Running;
  let client: EventBridgeClient;
  withStackAndClient((s, c) => ([server, client] = [s, c]));

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

    const refused: { name: string; input: Record<string, unknown>; error: string; message?: RegExp }[] = [
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
      {
        name: "an empty FilterArns (replaying to no rule)",
        input: { Destination: { Arn: BUS_ARN, FilterArns: [] } },
        error: "ValidationException",
        message: /Parameter Destination\.FilterArns is not valid.*omit it to replay to every rule/,
      },
      {
        name: "a description of 513 characters",
        input: { Description: "d".repeat(513) },
        error: "ValidationException",
        message: /^Parameter Description is not valid\. Reason: the description is 513 characters/,
      },
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
        if (c.message) expect(err.message).to.match(c.message);
      });
    }

    it("refuses times no date can hold (1e300 seconds) on StartReplay and POST /local/replay, and lists replays after", async () => {
      // Sent raw: the SDK only serializes Dates. Stored, such a time failed every later listing with a 500.
      const aws = await request(`${server.url}/`, {
        body: JSON.stringify({
          ReplayName: "far-future",
          EventSourceArn: ARCHIVE_ARN,
          EventStartTime: 1e300,
          EventEndTime: 1e301,
          Destination: { Arn: BUS_ARN },
        }),
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.StartReplay" },
      });
      const local = await request(`${server.url}/local/replay`, {
        body: { from: 0, to: 1e300, name: "far" },
      });

      expect(aws.status, aws.text).to.equal(400);
      expect(aws.body).to.deep.include({ __type: "SerializationException" });
      expect(aws.body.message).to.match(/EventStartTime must be a timestamp/);
      expect(local.status, local.text).to.equal(400);
      expect(local.body.message).to.match(/body\.to must be an ISO 8601 time/);
      expect((await request(`${server.url}/local/replays`)).status).to.equal(200);
      expect(
        (await client.send(new ListReplaysCommand({}))).Replays?.map((r) => r.ReplayName),
      ).to.not.include("far-future");
    });

    it("refuses a State outside EventBridge's enum on ListReplays and ListArchives (an empty list would hide the typo)", async () => {
      const replays = await failure(client.send(new ListReplaysCommand({ State: "DONE" as never })));
      const archives = await failure(client.send(new ListArchivesCommand({ State: "ON" as never })));

      expect(replays.name).to.equal("ValidationException");
      expect(replays.message).to.match(
        /Value 'DONE' at 'state' .*\[STARTING, RUNNING, CANCELLING, COMPLETED, CANCELLED, FAILED\]/,
      );
      expect(archives.name).to.equal("ValidationException");
      expect(archives.message).to.match(/Value 'ON' at 'state' .*ENABLED/);
      const enabled = await client.send(new ListArchivesCommand({ State: "ENABLED" }));
      expect(enabled.Archives?.map((a) => a.ArchiveName)).to.deep.equal([ARCHIVE]);
      expect((await client.send(new ListArchivesCommand({ State: "DISABLED" }))).Archives).to.deep.equal([]);
    });

    const token = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString("base64url");
    const forged: { name: string; token: string }[] = [
      { name: "not base64 JSON", token: "nope" },
      { name: "another operation's", token: token({ op: "ListRules", offset: 1 }) },
      { name: "a negative offset", token: token({ op: "ListReplays", offset: -1 }) },
      { name: "a fractional offset", token: token({ op: "ListReplays", offset: 1.5 }) },
      {
        name: "an offset past 2^53 (beyond SQLite's integers)",
        token: token({ op: "ListReplays", offset: 1e19 }),
      },
    ];
    for (const c of forged) {
      it(`refuses a NextToken that is ${c.name}: ValidationException, not a storage fault`, async () => {
        const err = await failure(client.send(new ListReplaysCommand({ NextToken: c.token })));

        expect(err.name).to.equal("ValidationException");
        expect(err.message).to.equal("The NextToken provided is not valid.");
      });
    }

    it("refuses a forged NextToken on a list paged in memory too (ListRules)", async () => {
      const err = await failure(
        client.send(new ListRulesCommand({ NextToken: token({ op: "ListRules", offset: 1e19 }) })),
      );

      expect(err.name).to.equal("ValidationException");
    });

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
});
