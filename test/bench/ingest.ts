/**
 * Ingest: `POST /events` throughput and latency of the local stack next to a bare `node:http` server that only
 * parses the JSON and answers 202, same run, same machine, same autocannon settings, each server in its own
 * process. Then the local stack is SIGKILLed and every event it acknowledged must be in its SQLite file.
 * Target: local accepted req/s ≥ 0.5 × bare.
 */
import { load, type LoadResult } from "./lib/load";
import { Probe } from "./lib/probe";
import { median, table } from "./lib/report";
import { startBare, startLocal, type ChildServer } from "./lib/server";

const CONNECTIONS = 32;
const WARMUP_SECONDS = 2;
const ROUND_SECONDS = 5;
const ROUNDS = 3;
export const TARGET_RATIO = 0.5;

export interface IngestReport {
  bare: Summary;
  local: Summary;
  ratio: number;
  accepted: number;
  missing: number;
  statuses: Record<number, number>;
  markdown: string;
  ok: boolean;
}

interface Summary {
  /** Median over the rounds of 2xx answers per second. */
  acceptedPerSecond: number;
  /** Median over the rounds of all answers per second. */
  answersPerSecond: number;
  p50: number;
  p99: number;
}

async function measure(server: ChildServer): Promise<{ summary: Summary; rounds: LoadResult[] }> {
  const url = `${server.origin}/events`;
  const rounds: LoadResult[] = [await load({ url, connections: CONNECTIONS, duration: WARMUP_SECONDS })];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await load({ url, connections: CONNECTIONS, duration: ROUND_SECONDS }));
  const measured = rounds.slice(1);
  return {
    rounds,
    summary: {
      acceptedPerSecond: median(measured.map((r) => r.acceptedPerSecond)),
      answersPerSecond: median(measured.map((r) => (r.raw["2xx"] + r.raw.non2xx) / r.raw.duration)),
      p50: median(measured.map((r) => r.raw.latency.p50)),
      p99: median(measured.map((r) => r.raw.latency.p99)),
    },
  };
}

export async function run(): Promise<IngestReport> {
  console.log(`\n## ingest: ${CONNECTIONS} connections, ${ROUNDS} × ${ROUND_SECONDS} s after ${WARMUP_SECONDS} s warm-up`);
  const bareServer = await startBare();
  let bare: Summary;
  try {
    bare = (await measure(bareServer)).summary;
  } finally {
    await bareServer.stop();
  }

  const localServer = await startLocal();
  let local: Summary;
  let rounds: LoadResult[];
  try {
    ({ summary: local, rounds } = await measure(localServer));
  } finally {
    // SIGKILL: the hardest stop. Whatever got a 202 must already be on disk.
    await localServer.stop({ signal: "SIGKILL", keepData: true });
  }
  const acceptedIds = rounds.flatMap((r) => r.acceptedIds);
  const statuses: Record<number, number> = {};
  for (const r of rounds) for (const [s, n] of Object.entries(r.statuses)) statuses[+s] = (statuses[+s] ?? 0) + n;
  let missing: string[];
  const probe = new Probe(localServer.dataDir as string);
  try {
    missing = probe.missing(acceptedIds);
  } finally {
    probe.close();
    await localServer.stop(); // already exited: removes the data directory
  }

  const ratio = local.acceptedPerSecond / bare.acceptedPerSecond;
  const ok = ratio >= TARGET_RATIO && missing.length === 0 && acceptedIds.length > 0;
  const row = (name: string, s: Summary) => [
    name,
    Math.round(s.acceptedPerSecond),
    Math.round(s.answersPerSecond),
    s.p50,
    s.p99,
  ];
  const markdown = [
    table(
      ["server", "accepted req/s", "answered req/s", "p50 ms", "p99 ms"],
      [row("bare node:http (parse JSON, 202)", bare), row("local stack (validate, SQLite, deliver)", local)],
    ),
    "",
    `local / bare accepted req/s: **${ratio.toFixed(2)}** (target ≥ ${TARGET_RATIO})`,
    `local answers by status: ${JSON.stringify(statuses)}; accepted ${acceptedIds.length}, ` +
      `missing from SQLite after SIGKILL: **${missing.length}**`,
  ].join("\n");
  console.log(markdown);
  console.log(ok ? "ingest: PASS" : "ingest: FAIL");
  return { bare, local, ratio, accepted: acceptedIds.length, missing: missing.length, statuses, markdown, ok };
}
