/**
 * Memory: resident set size of the local stack's process (its processor workers included: they are threads of
 * it) while it takes and processes 100,000 events (after a 10,000-event warm-up so JIT, caches and pools are at
 * their working size), with a processor in the table that crashes its worker now and then
 * (`lib/crashing-table.ts`: one analytics event in 2,000, by a throw in a timer, an unhandled rejection or
 * `process.exit`), so replaced workers count too. "Flat" = the median RSS over the last quarter of the batches
 * is within a bound of the median over the first quarter (single samples ride the GC / WAL-checkpoint sawtooth,
 * which moves RSS by tens of MB either way), i.e. no growth per event.
 */
import { join } from "node:path";
import { load } from "./lib/load";
import { Probe, waitDrained } from "./lib/probe";
import { loadAverage, median, table } from "./lib/report";
import { startLocal } from "./lib/server";

const WARMUP = 10_000;
const EVENTS = 100_000;
/** Events sent at full speed, then processed, between two RSS samples. */
const BATCH = 5_000;
/** Keeps `npm run bench` bounded on a slow machine; a run that hits it reports how far it got and fails. */
const TIME_CAP_MS = 120_000;
const CONNECTIONS = 16;
/** Growth allowed between the first and the last quarter's median RSS. */
export const MAX_GROWTH_MB = 64;

export interface MemoryReport {
  events: number;
  rssMb: {
    start: number;
    afterWarmup: number;
    firstQuarter: number;
    lastQuarter: number;
    last: number;
    peak: number;
  };
  growthMb: number;
  markdown: string;
  ok: boolean;
}

const toMb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export async function run(): Promise<MemoryReport> {
  console.log(
    `\n## memory: RSS over ${EVENTS} events in batches of ${BATCH}, after a ${WARMUP}-event warm-up`,
  );
  console.log(`at start: ${loadAverage()}`);
  const server = await startLocal({ routesModule: join(__dirname, "lib/crashing-table.ts") });
  const probe = new Probe(server.dataDir as string);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 200);
  try {
    const url = `${server.origin}/events`;
    const start = toMb(server.rss());
    const send = async (count: number) => {
      let accepted = 0;
      // Throttled (429) requests are not events: keep sending until `count` were accepted.
      while (accepted < count) {
        accepted += (await load({ url, connections: CONNECTIONS, amount: count - accepted })).acceptedIds
          .length;
        await waitDrained(probe);
      }
      return accepted;
    };
    await send(WARMUP);
    const afterWarmup = toMb(server.rss());
    const batches: [number, number][] = [];
    let sent = 0;
    const started = Date.now();
    while (sent < EVENTS && Date.now() - started < TIME_CAP_MS) {
      sent += await send(BATCH);
      batches.push([sent, toMb(server.rss())]);
    }
    const seconds = (Date.now() - started) / 1000;
    const health = (await (await fetch(`${server.origin}/local/health`)).json()) as {
      workers?: { crashed: number; started: number };
      dlq: number;
    };
    const quarter = Math.max(1, Math.floor(batches.length / 4));
    const firstQuarter = median(batches.slice(0, quarter).map(([, mb]) => mb));
    const lastQuarter = median(batches.slice(-quarter).map(([, mb]) => mb));
    const last = batches[batches.length - 1][1];
    const rssMb = { start, afterWarmup, firstQuarter, lastQuarter, last, peak: toMb(peak) };
    const growthMb = Math.round((lastQuarter - firstQuarter) * 10) / 10;
    const markdown = [
      table(
        ["events after warm-up", ...batches.map(([n]) => String(n))],
        [["RSS MB", ...batches.map(([, mb]) => mb)]],
      ),
      "",
      `RSS at start ${start} MB, after warm-up ${afterWarmup} MB, after ${sent} more events ${last} MB, ` +
        `peak ${rssMb.peak} MB; median of the first ${quarter} batches ${firstQuarter} MB, of the last ${quarter} ` +
        `${lastQuarter} MB: growth **${growthMb} MB** (bound ${MAX_GROWTH_MB} MB)`,
      "",
      `Taking and processing those ${sent} events (each batch accepted, then drained) took ${seconds.toFixed(1)} s: ` +
        `${Math.round(sent / seconds)} events/s processed end to end with that table (the sustained rate of the ` +
        `default table is the sustained bench's).`,
      "",
      `The crashing processor crashed ${health.workers?.crashed ?? "?"} workers (${health.workers?.started ?? "?"} ` +
        `started in all); ${health.dlq} deliveries dead-lettered; ${loadAverage()}.`,
    ].join("\n");
    const ok = sent >= EVENTS && growthMb <= MAX_GROWTH_MB && (health.workers?.crashed ?? 0) > 0;
    if (sent < EVENTS)
      console.log(`time cap of ${TIME_CAP_MS / 1000} s hit after ${sent} of ${EVENTS} events`);
    console.log(markdown);
    console.log(ok ? "memory: PASS" : "memory: FAIL");
    return { events: sent, rssMb, growthMb, markdown, ok };
  } finally {
    clearInterval(sampler);
    probe.close();
    await server.stop();
  }
}
