/**
 * The runner behind `npm run scenarios -- --url <.../events>` (`main.ts`): the product description's business scenarios (and invalid requests)
 * against any endpoint with the backbone's HTTP contract: the local stack or a deployed API Gateway. Every answer
 * is checked against the contract; against the local stack each event's processing outcome is checked too.
 * Replaces the product description's `test_api.sh` and `test_business_scenarios.sh`.
 *
 * A scenario that sends a plain event to be accepted goes out the way producers send one, through the typed
 * client (`infra/client`, one attempt, no retries), so the client's own schema check and the server agree on
 * every scenario; the answer checked is the one on the wire. Invalid requests and raw bodies are sent as written.
 */
import { createClient, eventsUrl, type DetailOf, type DetailType } from "../../infra/client";
import { checkAnswer, clip, type Answer } from "./check";
import { checkOutcome, isLocalStack } from "./outcome";
import table from "./scenarios.json";
import type { Scenario, ScenarioResult } from "./types";

/** The product description's scenarios, as data. */
export const scenarios: readonly Scenario[] = table as Scenario[];

export interface RunOptions {
  /** The `POST /events` URL, e.g. http://127.0.0.1:3000/events or `pulumi stack output apiUrl`. */
  url: string;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
  /** Scenarios to run (default: the product description's table). */
  scenarios?: readonly Scenario[];
  /** How long one event may take to settle on the local stack (default 10 s). */
  settleTimeoutMs?: number;
  /** Force (true/false) or auto-detect (undefined) the local-stack outcome checks. */
  local?: boolean;
  /** Sent as `x-api-key`, for a deployed stack whose API requires a key. */
  apiKey?: string;
}

/** Runs every scenario in order and returns one verdict per scenario; never throws for a failing endpoint. */
export async function runScenarios(options: RunOptions): Promise<ScenarioResult[]> {
  const log = options.log ?? (() => undefined);
  const origin = new URL(options.url).origin;
  const local = options.local ?? (await isLocalStack(origin));
  log(`target ${options.url} (${local ? "local stack: outcomes checked" : "remote: HTTP contract only"})`);
  const results: ScenarioResult[] = [];
  for (const scenario of options.scenarios ?? scenarios) {
    const result = await runOne(scenario, options, local ? origin : undefined);
    // Nothing answers there: one error, rather than the same failure for every scenario.
    if (results.length === 0 && result.status === undefined && result.unreachable) {
      throw new Error(`cannot reach ${options.url}: ${result.failures[0]} (is the stack running? npm start)`);
    }
    log(`${result.ok ? "PASS" : "FAIL"} ${scenario.name}`);
    results.push(result);
  }
  return results;
}

async function runOne(
  scenario: Scenario,
  options: RunOptions,
  localOrigin: string | undefined,
): Promise<ScenarioResult> {
  const started = Date.now();
  const result: ScenarioResult = {
    name: scenario.name,
    ok: false,
    outcomeChecked: false,
    failures: [],
    ms: 0,
  };
  try {
    const event = producerEvent(scenario);
    const answer = event ? await sendWithClient(event, options) : await sendAsWritten(scenario, options);
    result.status = answer.status;
    const checked = checkAnswer(scenario, answer, localOrigin !== undefined);
    result.failures.push(...checked.failures);
    result.eventId = checked.eventId;
    const outcome = scenario.expect.outcome;
    if (localOrigin !== undefined && outcome !== undefined && checked.eventId !== undefined) {
      result.outcomeChecked = true;
      const timeoutMs = options.settleTimeoutMs ?? 10_000;
      result.failures.push(...(await checkOutcome(localOrigin, checked.eventId, outcome, timeoutMs)));
    }
  } catch (err) {
    result.failures.push(`request failed: ${describe(err)}`);
    result.unreachable = isConnectionError(err);
  }
  result.ok = result.failures.length === 0;
  result.ms = Date.now() - started;
  return result;
}

/** The event of a scenario that sends one plain event (only `detail-type` and `detail`) expecting a 202. */
function producerEvent(scenario: Scenario): { detailType: string; detail: unknown } | undefined {
  const { raw, body, contentType } = scenario.request;
  if (scenario.expect.status !== 202 || raw !== undefined || contentType !== undefined) return undefined;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  const keys = Object.keys(fields).sort();
  if (keys.length !== 2 || keys[0] !== "detail" || keys[1] !== "detail-type") return undefined;
  if (typeof fields["detail-type"] !== "string") return undefined;
  return { detailType: fields["detail-type"], detail: fields.detail };
}

/** Sends the event with the typed client, once; returns the answer as it came over the wire. */
async function sendWithClient(
  event: { detailType: string; detail: unknown },
  options: RunOptions,
): Promise<Answer> {
  let answer: Answer | undefined;
  let lost: unknown;
  const client = createClient({
    url: options.url,
    apiKey: options.apiKey,
    retry: { maxAttempts: 1 },
    timeoutMs: REQUEST_TIMEOUT_MS,
    fetch: async (input, init) => {
      try {
        const res = await fetch(input, init);
        answer = await answerOf(res.clone());
        return res;
      } catch (err) {
        lost = err;
        throw err;
      }
    },
  });
  try {
    await client.send(event.detailType as DetailType, event.detail as DetailOf<DetailType>);
  } catch (err) {
    // No answer: the connection's own error if there was one, else the client's refusal (its schema check).
    if (answer === undefined) throw lost ?? err;
  }
  if (answer === undefined) throw new Error("the client sent no request");
  return answer;
}

/** Sends the scenario's request exactly as written (body text, Content-Type). */
async function sendAsWritten(scenario: Scenario, options: RunOptions): Promise<Answer> {
  const { raw, body, contentType } = scenario.request;
  const headers: Record<string, string> = { "content-type": contentType ?? "application/json" };
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  const res = await fetch(options.url, {
    method: "POST",
    headers,
    body: raw ?? JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return answerOf(res);
}

const REQUEST_TIMEOUT_MS = 30_000;

async function answerOf(res: Response): Promise<Answer> {
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    retryAfter: res.headers.get("retry-after"),
    text: await res.text(),
  };
}

/** A connection refused, reset or not resolved: fetch's TypeError with a system error as its `cause`. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return (
    typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code)
  );
}

/** fetch hides the socket error (ECONNREFUSED, …) in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

/** The pass/fail table printed by the CLI. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.ok ? "PASS" : "FAIL",
    String(r.status ?? "-"),
    r.outcomeChecked ? "checked" : "-",
    `${r.ms}`,
    r.name,
  ]);
  const header = ["result", "status", "outcome", "ms", "scenario"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const failures = results
    .filter((r) => !r.ok)
    .flatMap((r) => [`\n${r.name}:`, ...r.failures.map((f) => `  - ${clip(f, 400)}`)]);
  const passed = results.filter((r) => r.ok).length;
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    `\n${passed}/${results.length} passed`,
    ...failures,
  ].join("\n");
}

const USAGE = "usage: npm run scenarios -- --url <POST /events URL> [--api-key <key>]";

/**
 * `--url <url>` (default: the local stack on port 3000) and `--api-key <key>` (default: $BACKBONE_API_KEY),
 * each also as `--name=value`.
 */
export function parseArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { url: string; apiKey?: string } {
  const values: Record<string, string | undefined> = {
    url: "http://127.0.0.1:3000/events",
    "api-key": env.BACKBONE_API_KEY || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const name = flag.replace(/^--/, "");
    if (!flag.startsWith("--") || !(name in values))
      throw new Error(`unknown argument "${argv[i]}"; ${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value; ${USAGE}`);
    values[name] = value;
  }
  const url = values.url as string;
  // A readable TypeError for a bad URL, or one that is not POST /events (the local stack's root is another API).
  eventsUrl(url);
  return { url, apiKey: values["api-key"] };
}
