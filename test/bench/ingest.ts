/**
 * Ingest: `POST /events` throughput and latency of the local stack next to a bare `node:http` server that only
 * parses the JSON and answers 202, same run, same machine, same autocannon settings, each server in its own
 * process. Then the local stack is SIGKILLed and every event it acknowledged must be in its SQLite file.
 * Target: local accepted req/s ≥ 0.6 × bare, with processors isolated (the default), on any machine: the
 * ingest-first gate measures saturation instead of assuming a request rate. A second pair, bare and local
 * pinned with the load generator to one core (`taskset`), plays a machine half as fast; the gate turned off
 * shows what it buys.
 */
import { execFileSync } from "node:child_process";
import { load, type LoadResult } from "./lib/load";
import { Probe } from "./lib/probe";
import { loadAverage, median, table } from "./lib/report";
import { startBare, startLocal, type ChildServer } from "./lib/server";

const CONNECTIONS = 32;
const WARMUP_SECONDS = 2;
const ROUND_SECONDS = 4;
const ROUNDS = 3;
export const TARGET_RATIO = 0.6;

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

interface LocalRun {
  summary: Summary;
  accepted: number;
  missing: number;
  statuses: Record<number, number>;
}

/** One local-stack configuration: measured, SIGKILLed, then its SQLite file checked for every 202. */
async function measureLocal(env: NodeJS.ProcessEnv, cpus?: string): Promise<LocalRun> {
  const server = await startLocal({ env, cpus });
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

async function measureBare(cpus?: string): Promise<Summary> {
  const bare = await startBare(cpus);
  try {
    return (await measure(bare)).summary;
  } finally {
    await bare.stop();
  }
}

/** Pins this process (autocannon) to `cpus`, and back: `taskset -a -p` moves all its threads. */
function pinSelf(cpus: string): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" });
}

/** The configurations; the target is judged on the first (what `npm start` runs, on the whole machine). */
const VARIANTS: readonly { name: string; env: NodeJS.ProcessEnv; pinned?: boolean }[] = [
  { name: "local stack (npm start defaults)", env: {} },
  { name: "local stack, ingest priority off", env: { BACKBONE_INGEST_PRIORITY: "off" } },
  { name: "local stack, all on one core with the load generator", env: {}, pinned: true },
];

export async function run(): Promise<IngestReport> {
  console.log(
    `\n## ingest: ${CONNECTIONS} connections, ${ROUNDS} × ${ROUND_SECONDS} s after ${WARMUP_SECONDS} s warm-up`,
  );
  console.log(`at start: ${loadAverage()}`);
  const bare = await measureBare();
  const runs: LocalRun[] = [];
  for (const variant of VARIANTS.filter((v) => !v.pinned)) runs.push(await measureLocal(variant.env));
  // A machine half as fast: the servers share one core with the load generator.
  const allCpus = execFileSync("taskset", ["-c", "-p", String(process.pid)], { encoding: "utf8" })
    .trim()
    .split(": ")[1];
  let bareOneCore: Summary;
  pinSelf("0");
  try {
    bareOneCore = await measureBare("0");
    for (const variant of VARIANTS.filter((v) => v.pinned)) runs.push(await measureLocal(variant.env, "0"));
  } finally {
    pinSelf(allCpus);
  }
  const [standard] = runs;
  const baseline = (i: number) => (VARIANTS[i].pinned ? bareOneCore : bare);

  const ratio = standard.summary.acceptedPerSecond / bare.acceptedPerSecond;
  const missing = runs.reduce((n, r) => n + r.missing, 0);
  const ok = ratio >= TARGET_RATIO && missing === 0 && standard.accepted > 0;
  const row = (name: string, s: Summary, base: Summary) => [
    name,
    Math.round(s.acceptedPerSecond),
    Math.round(s.answersPerSecond),
    s.p50,
    s.p99,
    (s.acceptedPerSecond / base.acceptedPerSecond).toFixed(2),
  ];
  const markdown = [
    table(
      ["server", "accepted req/s", "answered req/s", "p50 ms", "p99 ms", "accepted / bare"],
      [
        row("bare node:http (parse JSON, 202)", bare, bare),
        ...runs.filter((_, i) => !VARIANTS[i].pinned).map((r, i) => row(VARIANTS[i].name, r.summary, bare)),
        row("bare node:http, on one core with the load generator", bareOneCore, bareOneCore),
        ...runs
          .map((r, i) => ({ r, i }))
          .filter(({ i }) => VARIANTS[i].pinned)
          .map(({ r, i }) => row(VARIANTS[i].name, r.summary, baseline(i))),
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
    "",
    `at end: ${loadAverage()}`,
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
