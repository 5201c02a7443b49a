/**
 * Spec-side helpers: a run of the program under mocks (harness/runs.ts runs it) and queries of what it declared.
 */
import { expect } from "chai";
import { normalized, sharedOutput, type RunOptions } from "./runs";

export type { RunOptions } from "./runs";

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

function toProgram(json: string): Program {
  const parsed = JSON.parse(json);
  return new Program(parsed.resources, parsed.outputs, parsed.error, parsed.secretOutputs, parsed.logs);
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
 * The program run with `options`: one run per distinct options per mocha run (specs share the default run), per
 * process and across the parallel workers through the run's shared folder.
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

/** The default program and the `CONFIGURED` one, both required to have run without error. */
export async function defaultAndConfigured(): Promise<[Program, Program]> {
  const runs = await Promise.all([programFor(), programFor(CONFIGURED)]);
  for (const run of runs) expect(run.error, run.error?.message).to.equal(undefined);
  return runs;
}
