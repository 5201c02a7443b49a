import { Type } from "@sinclair/typebox";
import { DEFAULT_CURRENCY } from "./order";
import { defineProcessor } from "./runtime";

/** `analytics-event`: user behaviour tracking (page views, clicks, purchases). */
export const AnalyticsEvent = Type.Object(
  {
    eventType: Type.String({ minLength: 1, maxLength: 64 }),
    userId: Type.String({ minLength: 1, maxLength: 128 }),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    timestamp: Type.Optional(Type.String({ maxLength: 64 })),
    properties: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  {
    additionalProperties: true,
    version: 1,
    examples: [
      {
        eventType: "purchase",
        userId: "USER-001",
        sessionId: "SESS-001",
        properties: { orderValue: 199.99, currency: "USD" },
      },
      {
        eventType: "page_view",
        userId: "USER-002",
        timestamp: "2025-01-11T21:59:58.250Z",
        properties: { page: "/pricing" },
      },
    ],
  },
);

/** Number of session buckets: a stable hash of the session (or user) id, for sampling and A/B splits. */
export const SESSION_BUCKETS = 100;

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Event types grouped for reporting; anything unlisted is `other`. */
export const CATEGORIES: Readonly<Record<string, string>> = {
  page_view: "engagement",
  click: "engagement",
  search: "engagement",
  signup: "acquisition",
  add_to_cart: "intent",
  checkout_started: "intent",
  purchase: "conversion",
};

/** FNV-1a (32-bit) of `text`: stable across runs and runtimes, unlike anything seeded. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Conversion tracking for one event; `purchase` is the only converting event type. */
export interface Conversion {
  isConversion: boolean;
  /** Purchase value in major units, rounded to cents; 0 when the event carries no usable `orderValue`. */
  value: number;
  currency: string | null;
  /** Why a purchase has no usable value, if it has none. */
  issue?: string;
}

/** Reads `properties.orderValue` (number or numeric string) and `properties.currency` of a purchase. */
export function conversionOf(eventType: string, properties: Record<string, unknown>): Conversion {
  if (eventType.toLowerCase() !== "purchase") return { isConversion: false, value: 0, currency: null };
  const raw = properties.orderValue;
  const value =
    typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  const currency =
    typeof properties.currency === "string" && /^[A-Za-z]{3}$/.test(properties.currency)
      ? properties.currency.toUpperCase()
      : DEFAULT_CURRENCY;
  if (!Number.isFinite(value) || value < 0) {
    return {
      isConversion: true,
      value: 0,
      currency,
      issue: "properties.orderValue is missing or not a non-negative number",
    };
  }
  return { isConversion: true, value: Math.round(value * 100) / 100, currency };
}

/** The analytics processor's result: the event, enriched. */
export interface EnrichedEvent {
  eventType: string;
  userId: string;
  sessionId: string | null;
  properties: Record<string, unknown>;
  enrichment: {
    /** When the client says it happened (`timestamp`, if ISO 8601; UTC when it names no zone), else when the API accepted it. */
    occurredAt: string;
    occurredAtSource: "client" | "ingest";
    processedAt: string;
    /** processedAt − occurredAt, in milliseconds (negative if the client clock runs ahead). */
    lagMs: number;
    dayOfWeek: string;
    hourOfDay: number;
    isWeekend: boolean;
    category: string;
    sessionBucket: number;
    propertyCount: number;
    source: string;
    region: string;
  };
  conversion: Conversion;
}

/** An ISO 8601 date or date-time; UTC when it names no zone. */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `text` as epoch ms, or NaN unless it is ISO 8601. `Date.parse` alone reads a date-time without a zone in the
 * host's zone (a Saturday on Lambda, in UTC, could be a Friday on a laptop in Sydney) and takes loose text
 * ("12" as 2001-12-01).
 */
function utcTime(text: string): number {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return NaN;
  const [, date, time, zone] = m;
  return Date.parse(time === undefined ? date : `${date}T${time}${zone ?? "Z"}`);
}

/** Analytics: enrichment with calculated fields and metadata, and conversion tracking for purchases. Times in UTC. */
export default defineProcessor({
  name: "analytics",
  detailType: "analytics-event",
  schema: AnalyticsEvent,
  handle(event, ctx): EnrichedEvent {
    const a = event.detail;
    const properties = (a.properties ?? {}) as Record<string, unknown>;
    const clientTime = a.timestamp === undefined ? NaN : utcTime(a.timestamp);
    const occurred = new Date(Number.isNaN(clientTime) ? Date.parse(event.time) : clientTime);
    const processed = ctx.now();
    const day = occurred.getUTCDay();
    const conversion = conversionOf(a.eventType, properties);
    if (conversion.issue) ctx.log.warn("purchase without a usable value", { issue: conversion.issue });
    ctx.log.info("analytics event enriched", {
      eventType: a.eventType,
      isConversion: conversion.isConversion,
    });
    return {
      eventType: a.eventType,
      userId: a.userId,
      sessionId: a.sessionId ?? null,
      properties,
      enrichment: {
        occurredAt: occurred.toISOString(),
        occurredAtSource: Number.isNaN(clientTime) ? "ingest" : "client",
        processedAt: processed.toISOString(),
        lagMs: processed.getTime() - occurred.getTime(),
        dayOfWeek: DAYS[day],
        hourOfDay: occurred.getUTCHours(),
        isWeekend: day === 0 || day === 6,
        category: Object.prototype.hasOwnProperty.call(CATEGORIES, a.eventType)
          ? CATEGORIES[a.eventType]
          : "other",
        sessionBucket: fnv1a(a.sessionId ?? a.userId) % SESSION_BUCKETS,
        propertyCount: Object.keys(properties).length,
        source: event.source,
        region: event.region,
      },
      conversion,
    };
  },
});
