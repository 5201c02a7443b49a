/**
 * Spec-side helpers: run the program under mocks in a child process (see run-program.ts) and query what it
 * declared.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
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

const ROOT = join(__dirname, "..", "..", "..", "..");

/** One declared resource, as the mocked engine saw it. */
export interface DeclaredResource {
  type: string;
  name: string;
  custom: boolean;
  /** `type::name` of the parent component, or undefined at the stack root. */
  parent?: string;
  /** `type::name` of every resource it waits for (explicit `dependsOn` and referenced inputs). */
  dependencies?: string[];
  /** Resource options as the engine received them. */
  options?: { retainOnDelete: boolean; protect: boolean; deleteBeforeReplace: boolean };
  // Inputs and state are arbitrary JSON; specs index into them freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: any;
  id?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  state: any;
}

/** The result of one program run. */
export class Program {
  constructor(
    readonly resources: DeclaredResource[],
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly outputs: any,
    /** Set when the program threw; `resourceError` when it was a `pulumi.ResourceError`. */
    readonly error?: { name: string; message: string; resourceError: boolean },
    /** Names of the stack outputs that are secrets. */
    readonly secretOutputs: string[] = [],
    /** What the program logged with `pulumi.log.warn` / `error`. */
    readonly logs: { severity: string; message: string }[] = [],
  ) {}

  /** The resource of `type` named `name`; fails the test when missing. */
  findResource(type: string, name: string): DeclaredResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    expect(found, `${type} "${name}" should be declared`).to.not.equal(undefined);
    return found!;
  }

  /** Whether `resource` waits for the resource of `type` named `name` before it is created. */
  waitsFor(resource: DeclaredResource, type: string, name: string): boolean {
    return (resource.dependencies ?? []).includes(`${type}::${name}`);
  }

  /** Every resource of `type`. */
  resourcesOf(type: string): DeclaredResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** How many resources of each type. */
  countByType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
  }
}

/** Options of one run. */
export interface RunOptions {
  /**
   * Module (path from the repo root) exporting `routes` (built by `buildStack`) or `program()` (run as the
   * program); default runs `index.ts` with the real table.
   */
  table?: string;
  /** Project config values (`key: value`). */
  config?: Record<string, string>;
  /** Stack name (default `STACK`). */
  stack?: string;
}

/** Every optional feature on and every setting away from its default; specs share this one run. */
export const CONFIGURED: RunOptions = {
  config: {
    auth: "iam",
    alarmEmail: "ops@example.com",
    throttleRateLimit: "25",
    throttleBurstLimit: "50",
    logRetentionDays: "30",
    archiveRetentionDays: "90",
    stageName: "prod",
    manageApiGatewayAccount: "false",
  },
};

/** Runs the program in a fresh Node process under Pulumi mocks. */
export async function runProgram(options: RunOptions = {}): Promise<Program> {
  return toProgram(await runOutput(options));
}

/** The run's JSON document, as the child printed it (its last line). */
function runOutput(options: RunOptions): Promise<string> {
  const args = [...TS_NODE, join(__dirname, "run-program.ts")];
  if (options.table) args.push(join(ROOT, options.table));
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

/** Set by test/support/global.js (mocha's global setup) to the run's shared folder. */
const SHARED_RUNS_ENV = "BACKBONE_PROGRAM_RUNS";

function toProgram(json: string): Program {
  const parsed = JSON.parse(json);
  return new Program(parsed.resources, parsed.outputs, parsed.error, parsed.secretOutputs, parsed.logs);
}

/**
 * Program runs kept between mocha runs, as `tsc --incremental` keeps its checks: a run's output is a function of
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
async function sharedOutput(options: RunOptions): Promise<string> {
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

/** Every IAM policy document the program declares, with where it comes from. */
export function policyDocuments(program: Program): { where: string; document: PolicyDocument }[] {
  const docs: { where: string; document: PolicyDocument }[] = [];
  for (const r of program.resources) {
    const where = `${r.type} "${r.name}"`;
    if (r.type === "aws:iam/role:Role") docs.push({ where, document: JSON.parse(r.inputs.assumeRolePolicy) });
    if (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:sqs/queuePolicy:QueuePolicy") {
      docs.push({ where, document: JSON.parse(r.inputs.policy) });
    }
    if (r.type === "aws:iam/policy:Policy") docs.push({ where, document: JSON.parse(r.inputs.policy) });
    if (r.type === "aws:cloudwatch/eventBusPolicy:EventBusPolicy") {
      docs.push({ where, document: JSON.parse(r.inputs.policy) });
    }
  }
  return docs;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/** One IAM statement. */
export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A statement's actions as a list. */
export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

const cache = new Map<string, Promise<Program>>();

/**
 * Like `runProgram`, but one run per distinct options per mocha run (specs share the default run): per process,
 * and across the parallel workers through the run's shared folder.
 */
export function programFor(given: RunOptions = {}): Promise<Program> {
  const options = normalized(given);
  const key = JSON.stringify(options);
  let run = cache.get(key);
  if (!run) {
    run = sharedOutput(options).then(toProgram);
    cache.set(key, run);
  }
  return run;
}

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
  return out;
}

/** The default program and the `CONFIGURED` one, both required to have run without error. */
export async function defaultAndConfigured(): Promise<[Program, Program]> {
  const runs = await Promise.all([programFor(), programFor(CONFIGURED)]);
  for (const run of runs) expect(run.error, run.error?.message).to.equal(undefined);
  return runs;
}
