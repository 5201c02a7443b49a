/**
 * `backbone` against AWS, from the stack outputs: EventBridge calls go to the local stack's own EventBridge API
 * (`--endpoint-url`, which answers them as AWS does), SQS, Lambda and CloudWatch Logs are
 * `aws-sdk-client-mock`s, whose recorded calls show what the CLI asks of AWS. The DLQs
 * (aws-dlq.spec.ts) and the logs (aws-logs.spec.ts) have files of their own; aws-fixture.ts the setup.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { accept, fixture, request, waitFor } from "../../local/helpers";
import { freePort } from "../../support/net";
import { tempDir } from "../../support/temp";
import { cli } from "./helpers";
import { REGION, arns, localOutputs, names, outputsFile } from "./outputs";
import { awsCli, CREDENTIALS } from "./aws-fixture";

const outputs = localOutputs();
const order = outputs.routeResources["order-created"];
const support = outputs.routeResources["support-ticket"];

describe("backbone CLI against AWS (EventBridge: the local stack's API; SQS, Lambda, Logs: mocks)", function () {
  const { sqs, run, queueDepth, server, dir, args } = awsCli();

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
      const id = await accept(server().url, "support-ticket", fixture("support-ticket.seed").detail);
      await waitFor(server().url, id);

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
      const replay = (await request(`${server().url}/local/replays/aws-1`)).body;
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

  describe("where the outputs come from, and what is wrong with them", () => {
    it("reads them from standard input with --outputs - (or piped with --region)", async () => {
      queueDepth({});
      const { Readable } = await import("node:stream");
      for (const flags of [
        ["--outputs", "-"],
        ["--region", REGION],
      ]) {
        const stdin = Readable.from([JSON.stringify(outputs)]);
        const { code, stdout, stderr } = await cli([...flags, "--endpoint-url", server().url, "health"], {
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
          ["--stack", "team.dev", "--endpoint-url", server().url, "health"],
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
        const file = given === undefined ? undefined : outputsFile(dir(), given, "bad.json");
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
      const { code, stderr } = await cli(["--outputs", args()[1], "--endpoint-url", closed, "routes"], {
        awsClientConfig: CREDENTIALS,
      });
      expect(code).to.equal(2);
      expect(stderr).to.equal(`backbone: cannot reach EventBridge in ${REGION} (ECONNREFUSED)\n`);
    });

    it("--url with AWS flags is refused: the target would be ambiguous", async () => {
      const { code, stderr } = await run(["--url", server().url, "routes"]);
      expect(code).to.equal(2);
      expect(stderr).to.match(/^backbone: --url is the local stack's/);
    });
  });
});
