/**
 * `backbone events tail` and `events show` against AWS: the processors' CloudWatch Logs
 * (`aws-sdk-client-mock`), live through StartLiveTail and back through FilterLogEvents (aws-fixture.ts has the
 * setup).
 */
import {
  FilterLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { until } from "../../local/helpers";
import { startCli } from "./helpers";
import { ACCOUNT, REGION, arns, localOutputs, names } from "./outputs";
import { awsCli, CREDENTIALS } from "./aws-fixture";

const outputs = localOutputs();
const order = outputs.routeResources["order-created"];

describe("backbone CLI against AWS: the processors' logs", function () {
  const { logs, run, args } = awsCli();

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

      const tail = startCli([...args(), "events", "tail"], { awsClientConfig: CREDENTIALS });
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
      const tail = startCli([...args(), "events", "tail", "--detail-type", "support-ticket"], {
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
});
