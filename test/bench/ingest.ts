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

/**
 * The local-stack configurations measured; the target is judged on the first (what `npm start` runs). The
 * others are diagnostics: where delivery runs changes how much of the CPU ingest gets.
 */
const VARIANTS: readonly { name: string; env: NodeJS.ProcessEnv }[] = [
  { name: "local stack (npm start defaults)", env: {} },
  { name: "local stack, delivery in a worker thread", env: { BACKBONE_DELIVERY: "thread" } },
];

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
  const runs: LocalRun[] = [];
  for (const variant of VARIANTS) runs.push(await measureLocal(variant.env));
  const [standard] = runs;

  const ratio = standard.summary.acceptedPerSecond / bare.acceptedPerSecond;
  const missing = runs.reduce((n, r) => n + r.missing, 0);
  const ok = ratio >= TARGET_RATIO && missing === 0 && standard.accepted > 0;
  const row = (name: string, s: Summary) => [
    name,
    Math.round(s.acceptedPerSecond),
    Math.round(s.answersPerSecond),
    s.p50,
    s.p99,
    (s.acceptedPerSecond / bare.acceptedPerSecond).toFixed(2),
  ];
  const markdown = [
    table(
      ["server", "accepted req/s", "answered req/s", "p50 ms", "p99 ms", "accepted / bare"],
      [
        row("bare node:http (parse JSON, 202)", bare),
        ...runs.map((r, i) => row(VARIANTS[i].name, r.summary)),
      ],
    ),
    "",
    `Target: local stack / bare ≥ ${TARGET_RATIO} (npm start defaults): **${ratio.toFixed(2)}**.`,
    "",
    ...runs.map(
      (r, i) =>
        `- ${VARIANTS[i].name}: answers ${JSON.stringify(r.statuses)}; ${r.accepted} accepted, ` +
        `missing from SQLite after SIGKILL: **${r.missing}**`,
    ),
  ].join("\n");
  console.log(markdown);
  console.log(ok ? "ingest: PASS" : "ingest: FAIL");
  return {
    bare,
    local: standard.summary,
    ratio,
    accepted: standard.accepted,
    missing,
    statuses: standard.statuses,
    markdown,
    ok,
  };
}
