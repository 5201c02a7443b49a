/**
 * `backbone`: the commands over a target (`local.ts` or `aws.ts`), their text or `--json` output, and the exit
 * code. `run(argv, io)` does it all without touching the process, so specs call it in-process; `main.ts` is the
 * process entry (`bin.js`, the package's `backbone` bin, launches it).
 */
import type { Readable } from "node:stream";
import { commandUsage, COMMANDS, parse, usage, type CommandName, type Parsed } from "./args";
import { EXIT_FAILED, UsageError, oneLine } from "./errors";
import { LocalTarget } from "./local";
import { loadOutputs } from "./outputs";
import { ProgressView, clock, facts, table, tree, type Output } from "./render";
import { REPLAY_DONE, type ReplayProgress, type Target } from "./target";

/** What `run` reads and writes instead of the process's own streams and environment. */
export interface Io {
  stdout: Output;
  stderr: Output;
  /** Read for `--outputs -` (or piped outputs with `--region`). */
  stdin?: Readable & { isTTY?: boolean };
  /** Default `process.env`: `BACKBONE_URL`, `BACKBONE_TOKEN`, `PATH` (to find `pulumi`), AWS settings. */
  env?: Record<string, string | undefined>;
  /** Aborting it ends `events tail` and stops watching a replay (Ctrl-C). */
  signal?: AbortSignal;
  /** How often a replay's progress is polled, in ms (default 1,000 on AWS, 250 locally). */
  pollMs?: number;
  /** Default `Date.now`. */
  now?: () => number;
  /** Merged into every AWS client's configuration (tests pass credentials). */
  awsClientConfig?: Record<string, unknown>;
}

export const DEFAULT_URL = "http://127.0.0.1:3000";

/** Runs one command line; resolves the exit code (0, 1 or 2), having written the output or one error line. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = parse(argv);
    if (parsed.command === "help") {
      const about = parsed.args[0] as CommandName | undefined;
      io.stdout.write(about ? commandUsage(about) : usage());
      return 0;
    }
    const target = await targetFor(parsed, io);
    return await COMMAND_RUNNERS[parsed.command](target, parsed, io);
  } catch (err) {
    const code = (err as { exitCode?: unknown }).exitCode;
    io.stderr.write(`backbone: ${oneLine(err)}\n`);
    return typeof code === "number" ? code : EXIT_FAILED;
  }
}

type Runner = (target: Target, parsed: Parsed, io: Io) => Promise<number>;

const COMMAND_RUNNERS: Record<keyof typeof COMMANDS, Runner> = {
  async routes(target, { values }, io) {
    const { routes, raw } = await target.routes();
    if (values.json) return json(io, raw);
    const counted = routes.some((r) => r.counts);
    const headers = [
      "ROUTE",
      "RULE",
      "STATE",
      ...(counted ? ["INVOCATIONS", "DONE", "FAILURES", "DEAD-LETTERED"] : []),
    ];
    const rows = routes.map((r) => [
      r.key ?? "-",
      r.ruleName,
      r.state,
      ...(r.counts
        ? [r.counts.invocations, r.counts.done, r.counts.failures, r.counts.deadLettered].map(String)
        : counted
          ? ["", "", "", ""]
          : []),
      r.deadLetters === undefined ? "" : String(r.deadLetters),
      // A Lambda target by its function name: the ARN's other parts are the stack's region and account.
      r.target?.replace(/^arn:[^:]+:lambda:[^:]+:\d+:function:/, "") ?? "",
    ]);
    io.stdout.write(table([...headers, "DLQ", "TARGET"], rows));
    return 0;
  },

  async tail(target, { values }, io) {
    const signal = io.signal ?? new AbortController().signal;
    await target.tail(
      { detailType: values["detail-type"] as string | undefined, route: values.route as string | undefined },
      (line) => {
        if (values.json) io.stdout.write(JSON.stringify(line) + "\n");
        else
          io.stdout.write(`${clock(line.time)} ${line.kind.padEnd(8)} ${line.eventId ?? ""} ${line.text}\n`);
      },
      signal,
      () => io.stderr.write(`following ${target.name} (Ctrl-C to stop)\n`),
    );
    if (signal.aborted) return 0;
    io.stderr.write(`backbone: ${target.name} ended the stream\n`);
    return EXIT_FAILED;
  },

  async show(target, { args, values }, io) {
    const { tree: drawn, raw } = await target.show(args[0]);
    if (values.json) return json(io, raw);
    io.stdout.write(tree(drawn));
    return 0;
  },

  async "dlq-list"(target, { values }, io) {
    const listing = await target.dlqList(values.route as string | undefined);
    if (values.json) return json(io, listing.raw);
    if (listing.count === 0 && listing.entries.length === 0) {
      io.stdout.write(`no dead letters${values.route ? ` for route ${values.route}` : ""}\n`);
      return 0;
    }
    const queued = listing.entries.some((e) => e.queue);
    io.stdout.write(
      table(
        ["ID", "ROUTE", ...(queued ? ["QUEUE"] : []), "EVENT", "ATTEMPTS", "DEAD-LETTERED AT", "ERROR"],
        listing.entries.map((e) => [
          e.id,
          e.routeKey,
          ...(queued ? [e.queue ?? ""] : []),
          e.eventId ?? "",
          e.attempts === undefined ? "" : String(e.attempts),
          e.deadLetteredAt ?? "",
          e.error ?? "",
        ]),
      ),
    );
    const shown = listing.entries.length;
    io.stdout.write(
      `${listing.count} dead letter${listing.count === 1 ? "" : "s"}${shown < listing.count ? ` (${shown} shown)` : ""}\n`,
    );
    return 0;
  },

  async "dlq-redrive"(target, { values }, io) {
    const ids = (values.ids as string[] | undefined)?.flatMap((v) => v.split(",")).map((v) => v.trim());
    // `--ids 3,,4` or `--ids ""`: a slip that, with the empty ids dropped, could redrive more or less than meant.
    if (ids?.some((id) => id === ""))
      throw new UsageError("--ids has an empty id: give ids from dlq list, 3,4");
    const result = await target.dlqRedrive({ route: values.route as string | undefined, ids });
    if (values.json) json(io, result.raw);
    else {
      io.stdout.write(
        `redriven ${result.redriven}${result.ids.length ? `: ${result.ids.join(", ")}` : ""}\n`,
      );
      for (const f of result.failed) io.stdout.write(`not redriven ${f.id}: ${f.error}\n`);
    }
    return result.failed.length === 0 ? 0 : EXIT_FAILED;
  },

  async replay(target, { values }, io) {
    const now = (io.now ?? Date.now)();
    if (values.from === undefined)
      throw new UsageError("replay needs --from (ISO 8601, now, or a time ago: 2h)");
    const from = instant(values.from as string, "--from", now);
    const to = values.to === undefined ? new Date(now) : instant(values.to as string, "--to", now);
    if (from > to) throw new UsageError("--from is after --to");
    const route = values.route as string | undefined;
    const name = (values.name as string | undefined) ?? defaultReplayName(route, now);
    let progress = await target.startReplay({ from, to, route, name });
    const view = new ProgressView(values.json ? { write: () => undefined } : io.stdout);
    const pollMs = io.pollMs ?? (target instanceof LocalTarget ? 250 : 1000);
    for (;;) {
      view.update(progress);
      if (REPLAY_DONE.has(progress.state)) break;
      if (io.signal?.aborted || !(await sleep(pollMs, io.signal))) {
        view.end();
        io.stderr.write(`backbone: stopped watching; replay ${name} goes on\n`);
        return 130;
      }
      progress = await target.replayProgress(name);
    }
    view.end();
    if (values.json) json(io, progress.raw);
    else io.stdout.write(summary(progress));
    return progress.state === "COMPLETED" ? 0 : EXIT_FAILED;
  },

  async health(target, { values }, io) {
    const health = await target.health();
    if (values.json) json(io, health.raw);
    else io.stdout.write(facts([["target", target.name], ...health.facts]));
    return health.ok ? 0 : EXIT_FAILED;
  },
};

/** The local stack, or AWS when `--stack`, `--outputs` or `--region` says so. */
async function targetFor(parsed: Parsed, io: Io): Promise<Target> {
  const v = parsed.values;
  const env = io.env ?? process.env;
  const aws = v.stack !== undefined || v.outputs !== undefined || v.region !== undefined;
  if (!aws) {
    if (v["endpoint-url"] !== undefined)
      throw new UsageError("--endpoint-url is for AWS calls: add --stack or --outputs");
    if (v.since !== undefined)
      throw new UsageError("--since is for AWS's logs: the local stack shows an event's whole tree");
    const url = (v.url as string | undefined) ?? env.BACKBONE_URL ?? DEFAULT_URL;
    if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url ${url} is not an http(s) URL`);
    return new LocalTarget(url, (v.token as string | undefined) ?? env.BACKBONE_TOKEN);
  }
  if (v.url !== undefined)
    throw new UsageError("--url is the local stack's; with --stack, --outputs or --region the target is AWS");
  // Otherwise ignored: AWS calls are signed with the AWS credentials, not a bearer token.
  if (v.token !== undefined)
    throw new UsageError(
      "--token is the local stack's; with --stack, --outputs or --region the target is AWS",
    );
  const endpoint = v["endpoint-url"] as string | undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new UsageError(`--endpoint-url ${endpoint} is not an http(s) URL`);
  }
  const outputs = await loadOutputs({
    stack: v.stack as string | undefined,
    file: v.outputs as string | undefined,
    stdin: io.stdin,
    env,
  });
  // The AWS SDK is loaded only for AWS: the local commands start faster without it.
  const { AwsTarget } = await import("./aws");
  const since =
    parsed.command === "show" && v.since !== undefined
      ? duration(v.since as string, "--since")
      : 24 * 3_600_000;
  return new AwsTarget(outputs, {
    region: v.region as string | undefined,
    endpoint,
    clientConfig: io.awsClientConfig,
    label: v.stack !== undefined ? `stack ${v.stack}` : `stack of ${outputs.busName}`,
    showWindowMs: since,
    now: io.now ?? Date.now,
  });
}

function json(io: Io, value: unknown): number {
  io.stdout.write(JSON.stringify(value, null, 2) + "\n");
  return 0;
}

function summary(p: ReplayProgress): string {
  const counts = p.total !== undefined ? `: ${p.replayed} of ${p.total} events replayed` : "";
  return `replay ${p.name} ${p.state}${counts}${p.reason && p.state !== "COMPLETED" ? ` (${p.reason})` : ""}\n`;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `7d` in ms. */
function duration(text: string, flag: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new UsageError(`${flag} ${text}: give a duration such as 30m, 2h or 7d`);
  return Number(m[1]) * UNITS[m[2]];
}

/** An ISO 8601 time, `now`, epoch milliseconds, or a duration ago. */
function instant(text: string, flag: string, now: number): Date {
  if (text === "now") return new Date(now);
  if (/^\d+[smhd]$/.test(text)) return new Date(now - duration(text, flag));
  if (/^\d{10,}$/.test(text)) return new Date(Number(text));
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new UsageError(`${flag} ${text}: give ISO 8601 (2026-12-06T10:00:00Z), now, or a time ago (2h)`);
  return new Date(ms);
}

/** `backbone-<route or all>-<UTC time>`, within the replay name rule (64 of `[.\-_A-Za-z0-9]`). */
function defaultReplayName(route: string | undefined, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  return `backbone-${route ?? "all"}`.slice(0, 64 - stamp.length - 1) + `-${stamp}`;
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
