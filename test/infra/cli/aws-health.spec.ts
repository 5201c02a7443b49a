/**
 * `backbone health` for a deployed stack: the report made from what AWS answered (infra/cli/aws-health.ts). The
 * calls themselves are in aws.spec.ts.
 */
import { expect } from "chai";
import { stackHealth, type StackHealthReading } from "../../../infra/cli/aws-health";
import type { RouteQueue } from "../../../infra/cli/aws-queues";

const bus = {
  Name: "event-backbone-dev",
  Arn: "arn:aws:events:ap-southeast-2:123456789012:event-bus/event-backbone-dev",
};
const queue = (routeKey: string, kind: RouteQueue["kind"]): RouteQueue => ({
  routeKey,
  kind,
  url: `https://sqs.ap-southeast-2.amazonaws.com/123456789012/${routeKey}-${kind}`,
  functionName: `${routeKey}-fn`,
});
const rules = (...states: string[]) => states.map((state, i) => ({ route: `route-${i + 1}`, state }));

describe("backbone health against AWS: the report", () => {
  const cases: {
    title: string;
    reading: Omit<StackHealthReading, "bus">;
    ok: boolean;
    rules: string;
    deadLetters: string;
  }[] = [
    {
      title: "every rule enabled, no dead letters",
      reading: { rules: rules("ENABLED", "ENABLED"), queues: [{ queue: queue("route-1", "dlq"), count: 0 }] },
      ok: true,
      rules: "2 of 2 enabled",
      deadLetters: "0",
    },
    {
      title: "rules off after the first: each named with its own state",
      reading: { rules: rules("ENABLED", "DISABLED", "MISSING"), queues: [] },
      ok: false,
      rules: "1 of 3 enabled: route-2 DISABLED, route-3 MISSING",
      deadLetters: "0",
    },
    {
      title: "only the first rule off",
      reading: { rules: rules("MISSING", "ENABLED"), queues: [] },
      ok: false,
      rules: "1 of 2 enabled: route-1 MISSING",
      deadLetters: "0",
    },
    {
      title: "dead letters waiting: reported where, and not a degraded state",
      reading: {
        rules: rules("ENABLED", "ENABLED"),
        queues: [
          { queue: queue("route-1", "dlq"), count: 0 },
          { queue: queue("route-1", "failed"), count: 3 },
          { queue: queue("route-2", "dlq"), count: 1 },
        ],
      },
      ok: true,
      rules: "2 of 2 enabled",
      deadLetters: "4 (route-1 failed 3, route-2 dlq 1)",
    },
  ];
  for (const c of cases) {
    it(`${c.title}: ${c.ok ? "ok" : "degraded"}, rules "${c.rules}"`, () => {
      const health = stackHealth({ bus, ...c.reading });

      expect(health.ok).to.equal(c.ok);
      expect(health.facts).to.deep.equal([
        ["status", c.ok ? "ok" : "degraded"],
        ["bus", `${bus.Name} (${bus.Arn})`],
        ["rules", c.rules],
        ["dead letters", c.deadLetters],
      ]);
    });
  }

  it("keeps each rule's state and each queue's count in the JSON answer", () => {
    const reading = {
      bus,
      rules: rules("ENABLED", "DISABLED"),
      queues: [{ queue: queue("route-2", "dlq"), count: 2 }],
    };

    const { raw } = stackHealth(reading);

    expect(raw).to.deep.equal({
      bus,
      rules: [
        { route: "route-1", state: "ENABLED" },
        { route: "route-2", state: "DISABLED" },
      ],
      queues: [{ ...queue("route-2", "dlq"), count: 2 }],
    });
  });
});
