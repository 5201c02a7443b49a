/**
 * Where an event's correlation id comes from, for `POST /events` and PutEvents alike: an `x-correlation-id`
 * request header (taken as it is), else a PutEvents entry's `TraceHeader` (X-Ray's `Root=1-…-…`: its 32 hex
 * digits), else a W3C `traceparent` header (its trace id), else none: the event's own id then stands for it
 * (`correlationOf` in local/store). A follow-up inherits its cause's correlation id.
 *
 * The processors' own PutEvents calls (local/delivery/invoke.ts) send the event and route that emitted them in
 * `x-backbone-cause`, with the correlation id in `x-correlation-id`. Only they may: the cause decides what a
 * replay re-sends (follow-ups are not archived originals) and what the causal tree shows, so a call carrying it
 * must also carry this server's emit key (`x-backbone-emit-key`, random per start, known to its processors only).
 */
import { timingSafeEqual } from "node:crypto";

export const CORRELATION_HEADER = "x-correlation-id";
export const TRACEPARENT_HEADER = "traceparent";
export const CAUSE_HEADER = "x-backbone-cause";
export const EMIT_KEY_HEADER = "x-backbone-emit-key";

/** What a request's headers say about the events it puts. */
export interface RequestMeta {
  /** From `x-correlation-id`. */
  correlationId?: string;
  /** The trace id of a valid `traceparent`. */
  traceId?: string;
  /** The delivery whose processor emitted these events. */
  cause?: { eventId: string; routeKey: string };
}

/** A request header's value, however the transport spells its name. */
export type HeaderLookup = (name: string) => string | undefined;

/** An `x-correlation-id`: 1 to 128 visible ASCII characters. */
const CORRELATION_FORMAT = /^[\x21-\x7e]{1,128}$/;
/** W3C Trace Context `traceparent`: version, trace id, parent id, flags (lowercase hex). */
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
/** X-Ray's trace header root: `Root=1-<8 hex time>-<24 hex>`. */
const XRAY_ROOT = /(?:^|;)\s*Root=1-([0-9a-f]{8})-([0-9a-f]{24})\s*(?:;|$)/;
/** `x-backbone-cause`: `<event id> <route key>`. */
const CAUSE_FORMAT = /^([0-9a-f-]{36}) ([a-z][a-z0-9-]{0,63})$/;

/**
 * The header is there but unusable: the caller answers its protocol's 400 with `message`. `denied`: a cause
 * without this server's emit key (EventBridge's `AccessDeniedException`), else a malformed header.
 */
export class MetaError extends Error {
  constructor(
    message: string,
    readonly denied = false,
  ) {
    super(message);
  }
}

/**
 * Reads the correlation headers. An invalid `x-correlation-id` or `x-backbone-cause`, or a cause without
 * `emitKey` in `x-backbone-emit-key` (no key: no cause is accepted), throws `MetaError`; an invalid
 * `traceparent` is ignored, as the W3C specification asks of a receiver.
 */
export function readMeta(header: HeaderLookup, emitKey?: string): RequestMeta {
  const meta: RequestMeta = {};
  const correlation = header(CORRELATION_HEADER);
  if (correlation !== undefined) {
    if (!CORRELATION_FORMAT.test(correlation)) {
      throw new MetaError(`header ${CORRELATION_HEADER} must be 1 to 128 visible ASCII characters`);
    }
    meta.correlationId = correlation;
  }
  const traceId = traceIdOf(header(TRACEPARENT_HEADER));
  if (traceId !== undefined) meta.traceId = traceId;
  const cause = header(CAUSE_HEADER);
  if (cause !== undefined) {
    const m = CAUSE_FORMAT.exec(cause);
    if (!m) throw new MetaError(`header ${CAUSE_HEADER} must be "<event id> <route key>"`);
    if (!sameKey(header(EMIT_KEY_HEADER), emitKey)) {
      throw new MetaError(
        `header ${CAUSE_HEADER} is set only by this local stack's processors: it needs their ${EMIT_KEY_HEADER}`,
        true,
      );
    }
    meta.cause = { eventId: m[1], routeKey: m[2] };
  }
  return meta;
}

/** The correlation id of an event put with `meta` (and, for PutEvents, the entry's `TraceHeader`). */
export function correlationFor(meta: RequestMeta, traceHeader?: unknown): string | undefined {
  if (meta.correlationId !== undefined) return meta.correlationId;
  if (typeof traceHeader === "string") {
    const m = XRAY_ROOT.exec(traceHeader);
    if (m) return m[1] + m[2];
  }
  return meta.traceId;
}

/** The trace id of a valid `traceparent`, else undefined. */
function traceIdOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT_FORMAT.exec(value.trim());
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  // Version 00 has exactly four fields.
  if (m[1] === "00" && m[4] !== undefined) return undefined;
  return m[2];
}

/** Constant-time, so the key cannot be guessed a byte at a time from answer times. */
function sameKey(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Headers for a processor's PutEvents: the correlation id, the delivery that emitted the entries, and the
 * server's emit key that lets it say so.
 */
export function causeHeaders(
  correlationId: string,
  eventId: string,
  routeKey: string,
  emitKey: string,
): Record<string, string> {
  return {
    [CORRELATION_HEADER]: correlationId,
    [CAUSE_HEADER]: `${eventId} ${routeKey}`,
    [EMIT_KEY_HEADER]: emitKey,
  };
}
