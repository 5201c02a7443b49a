/** Shared arrange/act helpers for the processor specs. */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  memoryPublisher,
  memoryStore,
  runProcessor,
  type EmitEntry,
  type IdempotencyStore,
} from "../../processors/runtime";
import type { BackboneEvent, LogFields, Logger, Processor } from "../../processors/runtime";

const FIXTURES = path.join(__dirname, "..", "fixtures", "events");

/** The pinned clock of every processor spec: 2025-01-06T09:30:05Z, a Monday, 5 s after most fixtures. */
export const NOW = new Date("2025-01-06T09:30:05.000Z");

/** A fixture event from `test/fixtures/events/<name>.json`, freshly parsed (safe to mutate). */
export function fixture<D = Record<string, unknown>>(name: string): BackboneEvent<D> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as BackboneEvent<D>;
}

/** One fixture (a name for `fixture()`) per consumed detail-type: the event that drives each route in the specs. */
export const FIXTURE_FOR: Readonly<Record<string, string>> = {
  "order-created": "order-created.seed",
  "user-registered": "user-registered",
  "notification-sent": "notification-sent",
  "support-ticket": "support-ticket.seed",
  "analytics-event": "analytics-event.seed",
};

/** Every fixture file name (without `.json`). */
export function fixtureNames(): string[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** `base` with `detail` shallow-merged with `patch` (a key set to `undefined` is removed) and a new id. */
export function withDetail<D>(
  base: BackboneEvent<D>,
  patch: Record<string, unknown>,
  id?: string,
): BackboneEvent<D> {
  const detail: Record<string, unknown> = { ...(base.detail as Record<string, unknown>), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete detail[k];
  return { ...base, id: id ?? `${base.id}-${Object.keys(patch).join("-")}`, detail: detail as D };
}

/** One captured log line: the bindings merged with the fields, plus level and message. */
export type LogLine = LogFields & { level: string; msg: string };

/** A logger factory that records every line, for asserting on bindings. */
export function recordingLogger(): { lines: LogLine[]; logger: (bindings: LogFields) => Logger } {
  const lines: LogLine[] = [];
  const logger = (bindings: LogFields): Logger => {
    const at = (level: string) => (msg: string, fields?: LogFields) =>
      lines.push({ ...fields, ...bindings, level, msg });
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  };
  return { lines, logger };
}

/** A test harness around `runProcessor` with in-memory ports; reuse it to replay deliveries. */
export function harness(
  processor: Processor,
  routeKey = processor.detailType,
  store: IdempotencyStore = memoryStore(),
) {
  const publisher = memoryPublisher();
  const log = recordingLogger();
  return {
    published: publisher.published as EmitEntry[],
    lines: log.lines,
    store,
    run<R = unknown>(event: BackboneEvent, now: Date = NOW): Promise<R> {
      return runProcessor<R>(processor.handle, processor.name, routeKey, event, {
        store,
        publisher,
        logger: log.logger,
        now: () => now,
      });
    },
  };
}
