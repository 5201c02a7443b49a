/**
 * `backbone health` for a deployed stack, from what AWS answered: the bus, each route's rule state and the dead
 * letters waiting in its queues. Kept apart from the calls (aws.ts) so the report is a pure function of them.
 */
import type { RouteQueue } from "./aws-queues";
import type * as T from "./target";

/** What `health` read from AWS. */
export interface StackHealthReading {
  bus: { Name?: string; Arn?: string };
  /** Every route of the stack, in table order, with its rule's state (`MISSING` when the bus has no such rule). */
  rules: { route: string; state: string }[];
  /** Each route queue with the messages waiting in it. */
  queues: { queue: RouteQueue; count: number }[];
}

/** ok while every route's rule is enabled; dead letters are reported, not counted against it. */
export function stackHealth({ bus, rules, queues }: StackHealthReading): T.Health {
  const notEnabled = rules.filter((r) => r.state !== "ENABLED");
  const ok = notEnabled.length === 0;
  const waiting = queues.filter((q) => q.count > 0);
  const dead = waiting.reduce((a, q) => a + q.count, 0);
  const enabled = rules.length - notEnabled.length;
  return {
    ok,
    facts: [
      ["status", ok ? "ok" : "degraded"],
      ["bus", `${bus.Name} (${bus.Arn})`],
      [
        "rules",
        `${enabled} of ${rules.length} enabled` +
          (ok ? "" : `: ${notEnabled.map((r) => `${r.route} ${r.state}`).join(", ")}`),
      ],
      [
        "dead letters",
        dead === 0
          ? "0"
          : `${dead} (${waiting.map((q) => `${q.queue.routeKey} ${q.queue.kind} ${q.count}`).join(", ")})`,
      ],
    ],
    raw: {
      bus: { Name: bus.Name, Arn: bus.Arn },
      rules,
      queues: queues.map((q) => ({ ...q.queue, count: q.count })),
    },
  };
}
