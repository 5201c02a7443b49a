/**
 * Runs of the program under mocks, in a child process (run-program.ts), as JSON: once per distinct options per
 * mocha run (shared by mocha's parallel processes), and kept between mocha runs while nothing they read
 * changes.
 */
import { execFile, fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { TS_NODE } from "../../../support/node";
import type { RunAnswer, RunOptions, RunRequest } from "./protocol";

export type { RunOptions } from "./protocol";

const ROOT = join(__dirname, "..", "..", "..", "..");

/**
 * The same run however it is spelled: `{}`, `{ config: {} }` and `{ stack: "" }` are the default run, and config
 * keys are sorted (measured: two spellings of the default ran it twice per mocha run, ~3.6 s each).
 */
export function normalized(options: RunOptions): RunOptions {
  const out: RunOptions = {};
  if (options.table) out.table = options.table;
  const config = Object.entries(options.config ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (config.length > 0) out.config = Object.fromEntries(config);
  if (options.stack) out.stack = options.stack;
  if (options.ownProcess) out.ownProcess = true;
  return out;
}

/** The process that runs this process's programs (run-program.ts `--serve`), while it lives. */
let runner: Runner | undefined;

/** A runner child and the runs it owes. */
interface Runner {
  child: ChildProcess;
  owed: Map<number, { resolve(json: string): void; reject(err: Error): void }>;
  /** The end of its stderr, for the error when it dies. */
  stderr: string;
}

let nextId = 0;

/**
 * The run's JSON document, from this process's runner: one child for all its runs, so Pulumi, the AWS packages
 * and TypeScript load once. Measured 2026-12-07, the suite's 17 runs one after another: ~26 s of CPU in one
 * runner; as a process each, ~48 s with the ~2.5 s of the shell loop that started them. The child holds this
 * process open only while it owes a run.
 */
function runOutput(options: RunOptions): Promise<string> {
  if (options.ownProcess) return ownProcessOutput(options);
  runner ??= startRunner();
  return ask(runner, options);
}

function ask(r: Runner, options: RunOptions): Promise<string> {
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    r.owed.set(id, { resolve, reject });
    hold(r, true);
    r.child.send({ id, options } satisfies RunRequest);
  });
}

/**
 * `runs` one after another in a new runner of their own: what a spec needs to see one run after others in the
 * same process. Kept between mocha runs like any run (one file for the sequence), since the answers depend only
 * on the files a run reads; `BACKBONE_TEST_CACHE=off` runs them again (measured: the runner's ~5.4 s of CPU).
 */
export async function runsInOneRunner(runs: RunOptions[]): Promise<string[]> {
  const key = JSON.stringify({ inOneRunner: runs.map(normalized) });
  const folder = join(RUN_CACHE, inputsDigest());
  const file = join(folder, `${createHash("sha1").update(key).digest("hex")}.json`);
  if (!CACHE_OFF && existsSync(file)) {
    touch(folder);
    return JSON.parse(readFileSync(file, "utf8")) as string[];
  }
  const r = startRunner();
  try {
    const answers: string[] = [];
    for (const options of runs) answers.push(await ask(r, normalized(options)));
    if (!CACHE_OFF) keep(folder, file, JSON.stringify(answers));
    return answers;
  } finally {
    r.child.kill();
  }
}

/** The run in a new process (run-program.ts without `--serve`): its JSON document is its last line. */
function ownProcessOutput(options: RunOptions): Promise<string> {
  const args = [...TS_NODE, join(__dirname, "run-program.ts")];
  if (options.table) args.push(options.table);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: ROOT,
        maxBuffer: 256 * 1024 * 1024,
        env: {
          ...process.env,
          HARNESS_CONFIG: JSON.stringify(options.config ?? {}),
          HARNESS_STACK: options.stack ?? "",
        },
      },
      (err, stdout, stderr) => {
        const last = stdout.trim().split("\n").pop() ?? "";
        try {
          JSON.parse(last);
          resolve(last);
        } catch {
          reject(
            new Error(
              `program run failed (${err?.message ?? "no JSON"}):\n${stderr}\n${stdout.slice(-2000)}`,
            ),
          );
        }
      },
    );
  });
}

function startRunner(): Runner {
  const child = fork(join(__dirname, "run-program.ts"), ["--serve"], {
    cwd: ROOT,
    execArgv: [...TS_NODE],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  const r: Runner = { child, owed: new Map(), stderr: "" };
  child.stderr!.on("data", (chunk: Buffer) => {
    r.stderr = (r.stderr + chunk.toString()).slice(-4000);
  });
  child.on("message", (answer: RunAnswer) => {
    const run = r.owed.get(answer.id);
    r.owed.delete(answer.id);
    if (r.owed.size === 0) hold(r, false);
    try {
      JSON.parse(answer.json);
      run?.resolve(answer.json);
    } catch {
      run?.reject(new Error(`program run answered no JSON:\n${r.stderr}\n${answer.json.slice(-2000)}`));
    }
  });
  child.on("exit", (code, signal) => {
    if (runner === r) runner = undefined;
    for (const run of r.owed.values()) {
      run.reject(new Error(`program runner exited (${signal ?? `code ${code}`}):\n${r.stderr}`));
    }
    r.owed.clear();
  });
  return r;
}

/** Lets this process exit while the runner owes nothing, and keeps it while it does. */
function hold(r: Runner, on: boolean): void {
  const handles = [r.child, r.child.channel, r.child.stderr] as ({ ref(): void; unref(): void } | null)[];
  for (const handle of handles) {
    if (on) handle?.ref();
    else handle?.unref();
  }
}

/** Set by test/support/global.js (mocha's global setup) to the run's shared folder. */
const { SHARED_RUNS_ENV } = require("../../../support/global.js") as { SHARED_RUNS_ENV: string };

/**
 * Program runs kept between mocha runs, as tsc's build mode keeps its checks: a run's output is a function of
 * the program's inputs, so it is kept under a digest of all of them (below) and of its options, and any change
 * to any of them runs it again. Measured: the 19 runs of a suite were ~60 s of its ~170 s of CPU on two cores.
 * `BACKBONE_TEST_CACHE=off` runs every one; a fresh clone (CI) has no cache. The teardown prints how many of
 * the run's programs ran and how many came from here.
 */
const RUN_CACHE = join(ROOT, "node_modules", ".cache", "program-runs");
const CACHE_OFF = process.env.BACKBONE_TEST_CACHE === "off";

/** What a program run can read: the program, its table and processors, the harness and fixtures, the packages. */
const RUN_INPUTS = [
  "index.ts",
  "infra",
  "processors",
  "test",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "Pulumi.yaml",
  "Pulumi.dev.yaml",
];

let digest: string | undefined;

/**
 * sha1 over Node's version and every input file's path inside the project and bytes (specs excepted: no run
 * reads one). Not over the root: a run's output names no path of it, so a copy of the project with the same
 * files (test/infra/table/add-event-type.spec.ts makes the same one each time) has the same runs.
 */
export function inputsDigest(root: string = ROOT): string {
  if (root === ROOT && digest) return digest;
  const hash = createHash("sha1").update(process.version);
  const walk = (path: string): void => {
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      if (!existsSync(path)) return;
      hash.update("\0").update(relative(root, path)).update("\0").update(readFileSync(path));
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === "node_modules" || e.name.endsWith(".spec.ts")) continue;
      walk(join(path, e.name));
    }
  };
  for (const input of RUN_INPUTS) walk(join(root, input));
  const value = hash.digest("hex");
  if (root === ROOT) digest = value;
  return value;
}

/** Counts a run as `ran` or `reused`, for the teardown's line. */
function tally(dir: string | undefined, what: "ran" | "reused", options: RunOptions): void {
  if (dir && existsSync(dir)) appendFileSync(join(dir, "tally"), `${what} ${JSON.stringify(options)}\n`);
}

/** A run from the cache between mocha runs, or the run itself (then kept there). */
async function cachedOutput(options: RunOptions, dir: string | undefined): Promise<string> {
  const folder = join(RUN_CACHE, inputsDigest());
  const file = join(folder, `${createHash("sha1").update(JSON.stringify(options)).digest("hex")}.json`);
  if (!CACHE_OFF && existsSync(file)) {
    tally(dir, "reused", options);
    touch(folder);
    return readFileSync(file, "utf8");
  }
  const json = await runOutput(options);
  tally(dir, "ran", options);
  if (!CACHE_OFF) keep(folder, file, json);
  return json;
}

/** Marks a folder as used now (the pruning keeps the most recently used). */
function touch(folder: string): void {
  try {
    const now = new Date();
    utimesSync(folder, now, now);
  } catch {
    // Read-only: the folder may be pruned earlier than it needed to be.
  }
}

/** How many sets of inputs keep their runs (this tree's, the add-event-type copy's, a few edits back). */
const KEPT_INPUTS = 4;

/** Writes a run into its inputs' folder; a new folder drops all but the most recently used others. */
function keep(folder: string, file: string, json: string): void {
  try {
    if (!existsSync(folder)) {
      mkdirSync(folder, { recursive: true });
      const others = readdirSync(RUN_CACHE)
        .map((name) => join(RUN_CACHE, name))
        .filter((path) => path !== folder)
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
      for (const old of others.slice(KEPT_INPUTS - 1)) rmSync(old, { recursive: true, force: true });
    }
    writeFileSync(`${file}.${process.pid}`, json);
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // A read-only tree, or another process pruning at the same moment: the next mocha run runs it again.
  }
}

/**
 * Runs shared between the processes of one mocha run (`mocha --parallel`'s workers): the folder
 * test/support/global.js makes for the run. The first process to need a run takes its lock (an exclusive
 * `mkdir`) and runs it (or takes it from the cache between runs); the others wait for its JSON. Keyed by the
 * project root too, so a copy of the project (test/infra/table/add-event-type.spec.ts) never reads this
 * project's runs.
 */
export async function sharedOutput(options: RunOptions): Promise<string> {
  const dir = process.env[SHARED_RUNS_ENV];
  if (!dir || !existsSync(dir)) return cachedOutput(options, undefined);
  const base = join(
    dir,
    createHash("sha1").update(ROOT).update("\0").update(JSON.stringify(options)).digest("hex"),
  );
  try {
    mkdirSync(`${base}.lock`);
  } catch {
    return waitForOutput(base, options);
  }
  try {
    const json = await cachedOutput(options, dir);
    writeFileSync(`${base}.tmp`, json);
    renameSync(`${base}.tmp`, `${base}.json`);
    return json;
  } catch (err) {
    writeFileSync(`${base}.failed`, "");
    throw err;
  }
}

/** Waits for another process's run; runs it here if that one failed or never finishes. */
async function waitForOutput(base: string, options: RunOptions): Promise<string> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    if (existsSync(`${base}.json`)) return readFileSync(`${base}.json`, "utf8");
    if (existsSync(`${base}.failed`)) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  return runOutput(options);
}
