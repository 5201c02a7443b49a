/**
 * EventBridge's control plane on the local stack, read by the real clients: the buses, rules, targets and
 * archive the routing table defines, with the names and ARNs the cloud stack gives them (a stack named
 * `local`), paged as AWS pages; writes refused with AWS's errors. The archive and replays
 * (control-plane-replays.spec.ts) and the aws CLI (control-plane-cli.spec.ts) have files of their own.
 */
import {
  CreateArchiveCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type ListRulesCommandInput,
  type ListRulesCommandOutput,
} from "@aws-sdk/client-eventbridge";
import { createPaginator } from "@smithy/core";
import type { Paginator } from "@smithy/types";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { withStackAndClient } from "../helpers";
import { ACCOUNT, BUS, BUS_ARN, failure, functionArn, REGION, ruleArn, ruleNames } from "./stack-names";

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

describe("local stack: EventBridge control plane", function () {
  let client: EventBridgeClient;
  withStackAndClient((_server, c) => (client = c));

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
});
