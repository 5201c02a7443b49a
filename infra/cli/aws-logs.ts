/**
 * The processors' log lines on AWS (CloudWatch Logs; each route's function writes JSON lines
 * `{level, msg, time, eventId, routeKey, ...}` to its log group, `/aws/lambda/<function>`):
 * - `events tail` follows them with Live Tail (`StartLiveTail`: pushed as they arrive, up to 10 log groups a
 *   session, so a larger table opens several), rather than polling `FilterLogEvents` once per log group;
 * - `events show ID` finds an event's lines with `FilterLogEvents` and the JSON pattern `{ $.eventId = "ID" }`.
 */
import {
  FilterLogEventsCommand,
  StartLiveTailCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { aws } from "./aws-call";
import { CommandFailed } from "./errors";
import type { TailLine, TreeNode } from "./target";

/** A route's log group. */
export interface RouteLogs {
  routeKey: string;
  logGroupName: string;
  logGroupArn: string;
}

/** Live Tail's limit of log groups per session. */
const GROUPS_PER_SESSION = 10;
/** Pages of `FilterLogEvents` read per log group for `events show` at most. */
const SHOW_MAX_PAGES = 10;

export class Logs {
  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly where: string,
  ) {}

  /** Follows `groups` until `signal` aborts; a session that times out (3 hours) is started again. */
  async tail(
    groups: readonly RouteLogs[],
    onLine: (line: TailLine) => void,
    signal: AbortSignal,
    onReady: () => void,
  ): Promise<void> {
    const arns = groups.map((g) => g.logGroupArn);
    const count = Math.ceil(arns.length / GROUPS_PER_SESSION);
    let started = 0;
    const byArn = new Map(groups.map((g) => [g.logGroupArn, g]));
    const session = async (chunk: string[]) => {
      // Live Tail ends a session after three hours with SessionTimeoutException: then it starts another.
      let again = true;
      while (again && !signal.aborted) {
        again = false;
        try {
          const out = await aws(`CloudWatch Logs in ${this.where}`, () =>
            this.client.send(new StartLiveTailCommand({ logGroupIdentifiers: chunk }), {
              abortSignal: signal,
            }),
          );
          if (!out.responseStream) return;
          for await (const item of untilAborted(out.responseStream, signal)) {
            // Ready once every session has started (a large table opens several).
            if (item.sessionStart && ++started === count) onReady();
            if (item.SessionTimeoutException) {
              again = true;
              break;
            }
            if (item.SessionStreamingException) {
              throw new CommandFailed(`Live Tail: ${item.SessionStreamingException.message}`);
            }
            for (const e of item.sessionUpdate?.sessionResults ?? []) {
              const line = logLine(
                e.message ?? "",
                e.timestamp,
                byArn.get(e.logGroupIdentifier ?? "")?.routeKey,
              );
              if (line) onLine(line);
            }
          }
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
      }
    };
    const sessions: Promise<void>[] = [];
    for (let i = 0; i < arns.length; i += GROUPS_PER_SESSION) {
      sessions.push(session(arns.slice(i, i + GROUPS_PER_SESSION)));
    }
    await Promise.all(sessions);
  }

  /** An event's log lines in `groups` since `sinceMs`, as a tree: one node per route that logged it. */
  async show(
    eventId: string,
    groups: readonly RouteLogs[],
    sinceMs: number,
  ): Promise<{ tree: TreeNode; raw: unknown }> {
    const found = await Promise.all(
      groups.map(async (g) => ({ group: g, events: await this.filter(g.logGroupName, eventId, sinceMs) })),
    );
    const children = found
      .filter((f) => f.events.length > 0)
      .map((f) => ({
        label: `route ${f.group.routeKey} (${f.group.logGroupName})`,
        children: f.events
          .map((e) => logLine(e.message ?? "", e.timestamp, f.group.routeKey))
          .filter((l): l is TailLine => l !== undefined)
          .map((l) => ({ label: `${l.time} ${l.text}`, children: [] })),
      }));
    const raw = Object.fromEntries(found.map((f) => [f.group.routeKey, f.events]));
    return {
      tree: { label: `${eventId}: processors' log lines (CloudWatch Logs)`, children },
      raw,
    };
  }

  private async filter(logGroupName: string, eventId: string, sinceMs: number): Promise<FilteredLogEvent[]> {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < SHOW_MAX_PAGES; page++) {
      const out = await aws(`CloudWatch Logs in ${this.where}`, () =>
        this.client.send(
          new FilterLogEventsCommand({
            logGroupName,
            filterPattern: `{ $.eventId = ${JSON.stringify(eventId)} }`,
            startTime: sinceMs,
            nextToken,
          }),
        ),
      );
      events.push(...(out.events ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return events;
  }
}

/**
 * `stream`'s items until `signal` aborts: a stream waiting for its next item ends at once then, whether or not
 * its transport noticed the abort.
 */
async function* untilAborted<T>(stream: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = stream[Symbol.asyncIterator]();
  const aborted = new Promise<"aborted">((resolve) => {
    if (signal.aborted) resolve("aborted");
    else signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === "aborted" || next.done) return;
      yield next.value;
    }
  } finally {
    // Not awaited: a generator suspended in an await finishes its return only when that await settles.
    void iterator.return?.()?.catch(() => undefined);
  }
}

/** Lambda's own lines around each invocation: not the processor's. */
const PLATFORM_LINE = /^(START|END|REPORT|INIT_START) /;

/** A log message as a tail line: a processor's JSON line, or any other line as it is. */
export function logLine(
  message: string,
  timestamp: number | undefined,
  routeKey?: string,
): TailLine | undefined {
  const text = message.trim();
  if (text === "" || PLATFORM_LINE.test(text)) return undefined;
  const time = new Date(timestamp ?? Date.now()).toISOString();
  let fields: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && typeof parsed.msg === "string") fields = parsed;
  } catch {
    // Not JSON: shown as it is.
  }
  if (!fields) return { time, kind: "log", routeKey, text: routeKey ? `${routeKey} ${text}` : text };
  const { level, msg, time: _time, eventId, routeKey: key, ...rest } = fields;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const route = typeof key === "string" ? key : routeKey;
  return {
    time,
    kind: "log",
    routeKey: route,
    ...(typeof eventId === "string" ? { eventId } : {}),
    text: `${route ?? "?"} ${level ?? "info"} ${msg}${eventId ? ` event=${eventId}` : ""}${extra ? ` ${extra}` : ""}`,
  };
}
