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
import { matches } from "../../infra/pattern";
import { API_SOURCE, schemaExamples, type RouteRow } from "../../infra/table";

const FIXTURES = path.join(__dirname, "..", "fixtures", "events");

/** The pinned clock of every processor spec: 2025-01-06T09:30:05Z, a Monday, 5 s after most fixtures. */
export const NOW = new Date("2025-01-06T09:30:05.000Z");

/** A fixture event from `test/fixtures/events/<name>.json`, freshly parsed (safe to mutate). */
export function fixture<D = Record<string, unknown>>(name: string): BackboneEvent<D> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as BackboneEvent<D>;
}

/** When every example event was accepted by the API: 5 s before `NOW`, like most fixtures. */
export const EXAMPLE_TIME = "2025-01-06T09:30:00Z";

/**
 * The envelope the API would put on the bus for `detail`: source `backbone.api`, the pinned `EXAMPLE_TIME`, and
 * an id naming the detail-type and example (`example-order-created-1`), so a failing spec says which example.
 */
export function exampleEvent(detailType: string, detail: unknown, index = 0): BackboneEvent {
  return {
    version: "0",
    id: `example-${detailType}-${index + 1}`,
    "detail-type": detailType,
    source: API_SOURCE,
    account: "123456789012",
    time: EXAMPLE_TIME,
    region: "ap-southeast-2",
    resources: [],
    detail: JSON.parse(JSON.stringify(detail)),
  };
}

/** Every example of the processor's schema, as envelopes (the schema's `examples`, in order). */
export function examplesOf(processor: Processor): BackboneEvent[] {
  return schemaExamples(processor.schema).map((d, i) => exampleEvent(processor.detailType, d, i));
}

/**
 * The event that drives a row in the table-driven specs: the first example of its processor's schema whose
 * envelope the row's pattern matches. Throws naming the row when none does (a content-filtered row needs an
 * example that passes its filter).
 */
export function sampleEventFor(row: RouteRow): BackboneEvent {
  const events = examplesOf(row.processor);
  const event = events.find((e) => matches(row.pattern, e));
  if (!event) {
    throw new Error(
      `route "${row.key}": none of the ${events.length} examples of the "${row.processor.detailType}" schema ` +
        "matches the row's pattern; add one to the schema's examples",
    );
  }
  return event;
}

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

/**
 * A test harness around `runProcessor` with in-memory ports; reuse it to replay deliveries. The processor's
 * declared `emits` are enforced, as on Lambda.
 */
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
        emits: processor.emits ?? [],
      });
    },
  };
}
