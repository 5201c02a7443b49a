/**
 * The processor runtime shared by the Lambda adapter and the local stack: idempotency, buffered emits and a
 * logger bound to the event. It only talks to ports, so both runtimes plug in their own store and publisher.
 *
 * Everything `runProcessor` reaches is a plain function: the Lambda adapter's closure is serialized by Pulumi,
 * which cannot carry Maps, Symbols or #private fields into the deployed code.
 */
import { processorSource } from "./sources";
import type { BackboneEvent, LogFields, Logger, Processor, ProcessorContext } from "./contract";

/** Remembers the result of every processed (route, event id) pair, so a redelivery returns it unchanged. */
export interface IdempotencyStore {
  /** The stored result for `key`, or `undefined` when this key was never processed successfully. */
  get(key: string): Promise<{ result: unknown } | undefined>;
  /** Records a successful result. A concurrent writer that got there first wins; that is not an error. */
  put(key: string, result: unknown): Promise<void>;
}

/** One follow-up event, as handed to the bus. */
export interface EmitEntry {
  /** Always `processorSource(name)` of the emitting processor. */
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** Puts events on the bus. Throws if any entry is not accepted, so the delivery is retried. */
export interface Publisher {
  publish(entries: EmitEntry[]): Promise<void>;
}

/** What a runtime (Lambda or local) supplies to run one delivery. */
export interface RuntimePorts {
  store: IdempotencyStore;
  publisher: Publisher;
  /** Makes a logger whose every line carries `bindings` (`eventId`, `routeKey`). */
  logger: (bindings: LogFields) => Logger;
  /** The clock handed to the processor; defaults to the wall clock. */
  now?: () => Date;
  /**
   * Checks `event.detail` against the processor's schema (events put on the bus directly skip the API's
   * validation): the reason it is invalid, or `undefined`. See `detail-check.ts`. Without it, no check.
   */
  checkDetail?: (detail: unknown) => string | undefined;
  /**
   * The detail-types the processor declared (`Processor.emits`). When set, `ctx.emit` of any other detail-type
   * rejects with an `UndeclaredEmit` error (so the delivery fails and is retried, then dead-lettered): the
   * catalog is built from the declarations, and an undeclared emit would publish an event no contract names.
   * Without it, no check.
   */
  emits?: readonly string[];
}

/** The result of a delivery whose detail failed `checkDetail`: stored like any result, never retried. */
export interface RejectedResult {
  rejected: true;
  /** `"<path> <message>"`, e.g. `detail must have required property 'userId'`. */
  reason: string;
}

/** The processor's business function, without the schema (see `Processor` on why Lambda never captures it). */
export type Handle = Processor["handle"];

/** The idempotency key: one result per (route, event id), so two routes may process the same event. */
export function idempotencyKey(routeKey: string, eventId: string): string {
  return `${routeKey}:${eventId}`;
}

/**
 * Runs one delivery of `event` through `handle` for route `routeKey`.
 *
 * 1. If the store already holds a result for `${routeKey}:${event.id}`, returns it and emits nothing.
 * 2. If `ports.checkDetail` finds the detail invalid, logs a warning, stores and returns a `RejectedResult`
 *    without calling `handle`: a retry cannot fix a malformed detail, so it must not throw.
 * 3. Otherwise calls `handle`; `ctx.emit` only buffers (and, when `ports.emits` is set, rejects an undeclared
 *    detail-type with an `UndeclaredEmit` error).
 * 4. When `handle` succeeds, publishes the buffered events (source `processorSource(name)`), then stores the
 *    result and returns it. If `handle` or the publish throws, nothing is stored and the error propagates, so
 *    the delivery is retried. A crash between publish and store can therefore re-emit on retry (at least once).
 */
export async function runProcessor<R = unknown>(
  handle: Handle,
  name: string,
  routeKey: string,
  event: BackboneEvent,
  ports: RuntimePorts,
): Promise<R> {
  if (typeof event?.id !== "string" || event.id === "") {
    // Without an id every such event would share one idempotency key and all but the first would be dropped.
    throw new TypeError(`route "${routeKey}": the event has no string "id"; is it an EventBridge envelope?`);
  }
  const log = ports.logger({ eventId: event.id, routeKey });
  const key = idempotencyKey(routeKey, event.id);
  const seen = await ports.store.get(key);
  if (seen) {
    log.info("duplicate delivery: returning the stored result", { processor: name });
    return seen.result as R;
  }

  const reason = ports.checkDetail?.(event.detail);
  if (reason !== undefined) {
    log.warn("invalid detail: rejected without running the processor", {
      processor: name,
      detailType: event["detail-type"],
      source: event.source,
      reason,
    });
    const rejected: RejectedResult = { rejected: true, reason };
    await ports.store.put(key, rejected);
    return rejected as R;
  }

  const source = processorSource(name);
  const buffered: EmitEntry[] = [];
  const clock = ports.now ?? (() => new Date());
  const ctx: ProcessorContext = {
    routeKey,
    log,
    emit: async (detailType, detail) => {
      if (ports.emits && !ports.emits.includes(detailType))
        throw undeclaredEmit(name, routeKey, detailType, ports.emits);
      buffered.push({ source, detailType, detail });
    },
    now: () => clock(),
  };

  const started = Date.now();
  let result: R;
  try {
    result = (await handle(event, ctx)) as R;
  } catch (err) {
    log.error("processor failed; buffered emits dropped", {
      processor: name,
      dropped: buffered.length,
      error: describeError(err),
    });
    throw err;
  }
  // A failure after `handle` fails the attempt too; logged here with the event's id, since Lambda's own line
  // for it has none and `backbone events show` finds an event's lines by `eventId`.
  if (buffered.length > 0) {
    try {
      await ports.publisher.publish(buffered);
    } catch (err) {
      log.error("emitting failed; the attempt fails", {
        processor: name,
        detailTypes: buffered.map((e) => e.detailType),
        error: describeError(err),
      });
      throw err;
    }
    log.info("emitted", { processor: name, detailTypes: buffered.map((e) => e.detailType) });
  }
  try {
    await ports.store.put(key, result);
  } catch (err) {
    log.error("storing the result failed; the attempt fails", { processor: name, error: describeError(err) });
    throw err;
  }
  log.info("processed", { processor: name, durationMs: Date.now() - started });
  return result;
}

/**
 * The error of an emit the processor did not declare: `name` is `UndeclaredEmit` (a plain Error, not a class:
 * the Lambda closure is serialized).
 */
function undeclaredEmit(
  name: string,
  routeKey: string,
  detailType: string,
  declared: readonly string[],
): Error {
  const err = new Error(
    `route "${routeKey}": processor "${name}" emitted "${detailType}" but declares emits ${JSON.stringify(declared)}; ` +
      `add it to the processor's "emits"`,
  );
  err.name = "UndeclaredEmit";
  return err;
}

/** Error fields for a log line (errors do not survive `JSON.stringify`). */
export function describeError(err: unknown): LogFields {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { message: String(err) };
}

/** In-memory idempotency store for tests and single-process use. Results are deep-copied like a real store. */
export function memoryStore(): IdempotencyStore & { readonly size: number } {
  const results = new Map<string, string>();
  return {
    async get(key) {
      const stored = results.get(key);
      return stored === undefined ? undefined : (JSON.parse(stored) as { result: unknown });
    },
    async put(key, result) {
      if (!results.has(key)) results.set(key, JSON.stringify({ result }));
    },
    get size() {
      return results.size;
    },
  };
}

/** Publisher that records what was published; for tests and dry runs. */
export function memoryPublisher(): Publisher & { readonly published: EmitEntry[] } {
  const published: EmitEntry[] = [];
  return {
    published,
    async publish(entries) {
      published.push(...entries.map((e) => ({ ...e, detail: JSON.parse(JSON.stringify(e.detail)) })));
    },
  };
}
