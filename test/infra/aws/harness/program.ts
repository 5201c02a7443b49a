/**
 * Spec-side helpers: run the program under mocks in a child process (see run-program.ts) and query what it
 * declared.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
 * Runs shared between the processes of one mocha run (`mocha --parallel`'s workers): the folder
 * test/support/global.js makes for the run. The first process to need a run takes its lock (an exclusive
 * `mkdir`) and runs it; the others wait for its JSON. Keyed by the project root too, so a copy of the project
 * (test/infra/table/add-event-type.spec.ts) never reads this project's runs.
 */
async function sharedOutput(options: RunOptions): Promise<string> {
  const dir = process.env[SHARED_RUNS_ENV];
  if (!dir || !existsSync(dir)) return runOutput(options);
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
    const json = await runOutput(options);
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
export function programFor(options: RunOptions = {}): Promise<Program> {
  const key = JSON.stringify(options);
  let run = cache.get(key);
  if (!run) {
    run = sharedOutput(options).then(toProgram);
    cache.set(key, run);
  }
  return run;
}

/** The default program and the `CONFIGURED` one, both required to have run without error. */
export async function defaultAndConfigured(): Promise<[Program, Program]> {
  const runs = await Promise.all([programFor(), programFor(CONFIGURED)]);
  for (const run of runs) expect(run.error, run.error?.message).to.equal(undefined);
  return runs;
}
