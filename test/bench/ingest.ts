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
const ROUND_SECONDS = 4;
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
  for (let i = 0; i < ROUNDS; i++)
    rounds.push(await load({ url, connections: CONNECTIONS, duration: ROUND_SECONDS }));
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

/** One local-stack configuration: measured, SIGKILLed, then its SQLite file checked for every 202. */
async function measureLocal(env: NodeJS.ProcessEnv): Promise<LocalRun> {
  const server = await startLocal({ env });
  let summary: Summary;
  let rounds: LoadResult[];
  try {
    ({ summary, rounds } = await measure(server));
  } finally {
    // SIGKILL: the hardest stop. Whatever got a 202 must already be on disk.
    await server.stop({ signal: "SIGKILL", keepData: true });
  }
  const acceptedIds = rounds.flatMap((r) => r.acceptedIds);
  const statuses: Record<number, number> = {};
  for (const r of rounds)
    for (const [s, n] of Object.entries(r.statuses)) statuses[+s] = (statuses[+s] ?? 0) + n;
  const probe = new Probe(server.dataDir as string);
  try {
    return { summary, accepted: acceptedIds.length, missing: probe.missing(acceptedIds).length, statuses };
  } finally {
    probe.close();
    await server.stop(); // already exited: removes the data directory
  }
}

interface LocalRun {
  summary: Summary;
  accepted: number;
  missing: number;
  statuses: Record<number, number>;
}

export async function run(): Promise<IngestReport> {
  console.log(
    `\n## ingest: ${CONNECTIONS} connections, ${ROUNDS} × ${ROUND_SECONDS} s after ${WARMUP_SECONDS} s warm-up`,
  );
  const bareServer = await startBare();
  let bare: Summary;
  try {
    bare = (await measure(bareServer)).summary;
  } finally {
    await bareServer.stop();
  }
  const standard = await measureLocal({});
  // Diagnostic: without the backlog bound, ingest is not limited by the delivery loop's pace (no 429s).
  const unbounded = await measureLocal({ BACKBONE_MAX_PENDING: String(1e9) });

  const ratio = standard.summary.acceptedPerSecond / bare.acceptedPerSecond;
  const ok = ratio >= TARGET_RATIO && standard.missing + unbounded.missing === 0 && standard.accepted > 0;
  const row = (name: string, s: Summary) => [
    name,
    Math.round(s.acceptedPerSecond),
    Math.round(s.answersPerSecond),
    s.p50,
    s.p99,
  ];
  const durability = (name: string, r: LocalRun) =>
    `${name}: answers ${JSON.stringify(r.statuses)}; ${r.accepted} accepted, missing from SQLite after SIGKILL: **${r.missing}**`;
  const markdown = [
    table(
      ["server", "accepted req/s", "answered req/s", "p50 ms", "p99 ms"],
      [
        row("bare node:http (parse JSON, 202)", bare),
        row("local stack, default backlog bound", standard.summary),
        row("local stack, backlog bound lifted", unbounded.summary),
      ],
    ),
    "",
    `local (default) / bare accepted req/s: **${ratio.toFixed(2)}** (target ≥ ${TARGET_RATIO}); ` +
      `bound lifted / bare: ${(unbounded.summary.acceptedPerSecond / bare.acceptedPerSecond).toFixed(2)}`,
    "",
    durability("default bound", standard),
    "",
    durability("bound lifted", unbounded),
  ].join("\n");
  console.log(markdown);
  console.log(ok ? "ingest: PASS" : "ingest: FAIL");
  return {
    bare,
    local: standard.summary,
    ratio,
    accepted: standard.accepted,
    missing: standard.missing + unbounded.missing,
    statuses: standard.statuses,
    markdown,
    ok,
  };
}
