/**
 * Sustained end to end: 100,000 events of the seven scenario bodies in rotation, sent unpaced (32 connections)
 * to a fresh `npm start` (processors isolated, the default), timed from the first request to the moment the
 * last of their deliveries (follow-ups included) is done in SQLite. Target: ≥ 5,000 events/s on the 2-core
 * machine of BENCHMARKS.md. Producers here are faster than the processors, so the ingest-first gate lets the
 * bus accept first and drain after: the rate is both phases together, and both are printed. Baseline in the same
 * run: the same 100,000 bodies to the bare `node:http` server, which says how fast this machine accepts at all.
 */
import { load } from "./lib/load";
import { Probe, waitDrained } from "./lib/probe";
import { loadAverage, table } from "./lib/report";
import { startBare, startLocal } from "./lib/server";

const EVENTS = 100_000;
const CONNECTIONS = 32;
export const TARGET_EVENTS_PER_SECOND = 5000;

export interface SustainedReport {
  eventsPerSecond: number;
  markdown: string;
  ok: boolean;
}

export async function run(): Promise<SustainedReport> {
  console.log(`\n## sustained: ${EVENTS} events, unpaced (${CONNECTIONS} connections), accepted → done`);
  console.log(`at start: ${loadAverage()}`);
  const bare = await startBare();
  let bareSeconds: number;
  try {
    await load({ url: `${bare.origin}/events`, connections: CONNECTIONS, amount: 10_000 });
    const started = performance.now();
    await load({ url: `${bare.origin}/events`, connections: CONNECTIONS, amount: EVENTS });
    bareSeconds = (performance.now() - started) / 1000;
  } finally {
    await bare.stop();
  }

  const server = await startLocal();
  const probe = new Probe(server.dataDir as string);
  try {
    const url = `${server.origin}/events`;
    // Warm-up: the workers start, JIT and caches reach their working size.
    await load({ url, connections: CONNECTIONS, amount: 10_000 });
    await waitDrained(probe);
    const started = performance.now();
    let accepted = 0;
    const statuses: Record<number, number> = {};
    // 429s (a full backlog) are not events: send until EVENTS were accepted.
    while (accepted < EVENTS) {
      const r = await load({ url, connections: CONNECTIONS, amount: EVENTS - accepted });
      accepted += r.acceptedIds.length;
      for (const [s, n] of Object.entries(r.statuses)) statuses[+s] = (statuses[+s] ?? 0) + n;
    }
    const acceptedS = (performance.now() - started) / 1000;
    await waitDrained(probe, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const byStatus = probe.deliveriesByStatus();
    const eventsPerSecond = Math.round(accepted / seconds);
    const ok = eventsPerSecond >= TARGET_EVENTS_PER_SECOND && (byStatus.dead ?? 0) === 0;
    const markdown = [
      table(
        ["", "seconds", "events/s"],
        [
          [
            "bare node:http, accepting the same bodies (baseline)",
            bareSeconds.toFixed(1),
            Math.round(EVENTS / bareSeconds),
          ],
          ["local stack: all accepted", acceptedS.toFixed(1), Math.round(accepted / acceptedS)],
          ["local stack: accepted → all done (**target**)", seconds.toFixed(1), `**${eventsPerSecond}**`],
        ],
      ),
      "",
      `Target ≥ ${TARGET_EVENTS_PER_SECOND} events/s; answers ${JSON.stringify(statuses)}; deliveries by status ` +
        `${JSON.stringify(byStatus)} (warm-up included); ${loadAverage()}.`,
    ].join("\n");
    console.log(markdown);
    console.log(ok ? "sustained: PASS" : "sustained: FAIL");
    return { eventsPerSecond, markdown, ok };
  } finally {
    probe.close();
    await server.stop();
  }
}
