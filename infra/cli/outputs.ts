/**
 * The stack outputs the CLI runs against AWS with (`pulumi stack output --json`): read from the Pulumi CLI
 * (`--stack NAME`), a file (`--outputs FILE`) or standard input (`--outputs -`, or piped with `--region`), and
 * checked before any AWS call, so a missing output is one clear line rather than an SDK error half-way.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { UsageError } from "./errors";

/** What `routeResources` holds per route key (`infra/aws/stack.ts` `RouteOutputs`). */
export const ROUTE_RESOURCE_FIELDS = [
  "ruleName",
  "ruleArn",
  "functionName",
  "logGroupName",
  "dlqUrl",
  "dlqArn",
  "failureQueueUrl",
  "failureQueueArn",
] as const;

export type RouteResources = Record<(typeof ROUTE_RESOURCE_FIELDS)[number], string>;

/** The outputs the CLI reads (`index.ts` exports them). */
export interface StackOutputs {
  busName: string;
  busArn: string;
  archiveArn: string;
  routeResources: Record<string, RouteResources>;
}

/** Where the outputs come from. */
export interface OutputsSource {
  /** `--stack`: asks `pulumi stack output --json --stack <stack>` when no file is given. */
  stack?: string;
  /** `--outputs`: a file, or `-` for standard input. */
  file?: string;
  stdin?: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

/** Reads and checks the outputs; every failure is a `UsageError` naming where they came from. */
export async function loadOutputs(source: OutputsSource): Promise<StackOutputs> {
  const { text, origin } = await readOutputs(source);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the stack outputs from ${origin} are not JSON (${(err as Error).message})`);
  }
  return checkOutputs(json, origin);
}

/** `json` as `StackOutputs`, or a `UsageError` naming the first missing or malformed output. */
export function checkOutputs(json: unknown, origin: string): StackOutputs {
  if (!isObject(json)) throw new UsageError(`the stack outputs from ${origin} are not a JSON object`);
  const missing = (name: string) =>
    new UsageError(
      `stack output ${name} is missing from ${origin} (deploy this version of the stack with pulumi up)`,
    );
  for (const name of ["busName", "busArn", "archiveArn"]) {
    if (typeof json[name] !== "string" || json[name] === "") throw missing(name);
  }
  if (!/^arn:[^:]+:events:[^:]+:\d{12}:event-bus\//.test(json.busArn as string)) {
    throw new UsageError(
      `stack output busArn from ${origin} is not an event bus ARN: ${String(json.busArn)}`,
    );
  }
  const routes = json.routeResources;
  if (!isObject(routes) || Object.keys(routes).length === 0) throw missing("routeResources");
  for (const [key, resources] of Object.entries(routes)) {
    for (const field of ROUTE_RESOURCE_FIELDS) {
      if (!isObject(resources) || typeof resources[field] !== "string") {
        throw missing(`routeResources.${key}.${field}`);
      }
    }
  }
  return json as unknown as StackOutputs;
}

/** Partition, region and account of the stack, from its bus ARN. */
export function whereOf(outputs: StackOutputs): { partition: string; region: string; account: string } {
  const [, partition, , region, account] = outputs.busArn.split(":");
  return { partition, region, account };
}

async function readOutputs(source: OutputsSource): Promise<{ text: string; origin: string }> {
  if (source.file === "-" || (source.file === undefined && source.stack === undefined)) {
    if (source.file === undefined && (source.stdin === undefined || source.stdin.isTTY)) {
      throw new UsageError(
        "AWS needs the stack outputs: --stack NAME, --outputs FILE, or pipe `pulumi stack output --json` in",
      );
    }
    return { text: await readAll(source.stdin as Readable), origin: "standard input" };
  }
  if (source.file !== undefined) {
    try {
      return { text: await readFile(source.file, "utf8"), origin: source.file };
    } catch (err) {
      throw new UsageError(
        `cannot read the stack outputs file ${source.file} (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  }
  const stack = source.stack as string;
  return { text: await pulumiOutputs(stack, source.env), origin: `pulumi stack output --stack ${stack}` };
}

/** Runs the Pulumi CLI for the stack's outputs. */
function pulumiOutputs(stack: string, env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "pulumi",
      ["stack", "output", "--json", "--stack", stack],
      { env: env as NodeJS.ProcessEnv, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          return reject(
            new UsageError(
              "the Pulumi CLI is not on PATH: install it, or pass the outputs with --outputs FILE " +
                `(pulumi stack output --json --stack ${stack} > FILE)`,
            ),
          );
        }
        const why = stderr.trim().split("\n").pop() || err.message;
        reject(new UsageError(`pulumi stack output --stack ${stack} failed: ${why}`));
      },
    );
  });
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
