import { expect } from "chai";
import analytics, { fnv1a, SESSION_BUCKETS, type EnrichedEvent } from "../../processors/analytics";
import { fixture, harness, NOW, withDetail } from "./helpers";

describe("analytics processor (analytics-event)", () => {
  it("enriches the product description's purchase (fixture) and tracks the conversion", async () => {
    const h = harness(analytics);
    const result = await h.run<EnrichedEvent>(fixture("analytics-event.seed"));
    expect(result).to.deep.equal({
      eventType: "purchase",
      userId: "USER-001",
      sessionId: "SESS-001",
      properties: { orderValue: 199.99, currency: "USD" },
      enrichment: {
        occurredAt: "2025-01-06T09:30:00.000Z",
        occurredAtSource: "ingest",
        processedAt: NOW.toISOString(),
        lagMs: 5000,
        dayOfWeek: "Monday",
        hourOfDay: 9,
        isWeekend: false,
        category: "conversion",
        sessionBucket: 45,
        propertyCount: 2,
        source: "backbone.api",
        region: "ap-southeast-2",
      },
      conversion: { isConversion: true, value: 199.99, currency: "USD" },
    });
    expect(h.published).to.deep.equal([]);
  });

  it("prefers a valid client timestamp and buckets by user without a session (fixture page view)", async () => {
    const now = new Date("2025-01-11T22:00:06Z");
    const result = await harness(analytics).run<EnrichedEvent>(fixture("analytics-event.page-view"), now);
    expect(result.enrichment).to.deep.include({
      occurredAt: "2025-01-11T21:59:58.250Z",
      occurredAtSource: "client",
      lagMs: 7750,
      dayOfWeek: "Saturday",
      hourOfDay: 21,
      isWeekend: true,
      category: "engagement",
      sessionBucket: 29,
      propertyCount: 2,
    });
    expect(result.sessionId).to.equal(null);
    expect(result.conversion).to.deep.equal({ isConversion: false, value: 0, currency: null });
  });

  describe("calculated time fields (UTC)", () => {
    const cases: {
      timestamp: string | undefined;
      time: string;
      dayOfWeek: string;
      hour: number;
      weekend: boolean;
    }[] = [
      { timestamp: undefined, time: "2025-01-05T23:59:59Z", dayOfWeek: "Sunday", hour: 23, weekend: true },
      {
        timestamp: "2025-01-10T00:00:00+10:00",
        time: "2025-01-10T00:00:01Z",
        dayOfWeek: "Thursday",
        hour: 14,
        weekend: false,
      },
      // Without a zone it is UTC, whatever the host's zone (the spec runs these in Sydney's, UTC+11).
      {
        timestamp: "2025-01-11 10:00:00",
        time: "2025-01-12T00:00:00Z",
        dayOfWeek: "Saturday",
        hour: 10,
        weekend: true,
      },
      { timestamp: "2025-01-10", time: "2025-01-12T00:00:00Z", dayOfWeek: "Friday", hour: 0, weekend: false },
      // Loose text Date.parse would take ("12" is 2001-12-01 to V8): the event's time instead.
      { timestamp: "12", time: "2025-01-08T12:00:00Z", dayOfWeek: "Wednesday", hour: 12, weekend: false },
      {
        timestamp: "not a date",
        time: "2025-01-08T12:00:00Z",
        dayOfWeek: "Wednesday",
        hour: 12,
        weekend: false,
      },
    ];
    for (const c of cases) {
      it(`timestamp ${JSON.stringify(c.timestamp)}, event time ${c.time} → ${c.dayOfWeek} ${c.hour}h`, async () => {
        const event = {
          ...withDetail(fixture("analytics-event.seed"), { timestamp: c.timestamp }),
          time: c.time,
        };
        const zone = process.env.TZ;
        process.env.TZ = "Australia/Sydney";
        let result: EnrichedEvent;
        try {
          result = await harness(analytics).run<EnrichedEvent>(event);
        } finally {
          if (zone === undefined) delete process.env.TZ;
          else process.env.TZ = zone;
        }
        expect(result.enrichment).to.include({
          dayOfWeek: c.dayOfWeek,
          hourOfDay: c.hour,
          isWeekend: c.weekend,
        });
      });
    }
  });

  describe("event categories", () => {
    const cases: [string, string][] = [
      ["page_view", "engagement"],
      ["click", "engagement"],
      ["signup", "acquisition"],
      ["add_to_cart", "intent"],
      ["purchase", "conversion"],
      ["video_play", "other"],
      ["__proto__", "other"],
    ];
    for (const [eventType, category] of cases) {
      it(`${eventType} → ${category}`, async () => {
        const event = withDetail(fixture("analytics-event.page-view"), { eventType });
        const result = await harness(analytics).run<EnrichedEvent>(event);
        expect(result.enrichment.category).to.equal(category);
      });
    }
  });

  describe("conversion tracking", () => {
    const cases: {
      eventType: string;
      properties: Record<string, unknown> | undefined;
      conversion: object;
    }[] = [
      {
        eventType: "purchase",
        properties: { orderValue: 199.99, currency: "USD" },
        conversion: { isConversion: true, value: 199.99, currency: "USD" },
      },
      {
        eventType: "purchase",
        properties: { orderValue: "42.5", currency: "aud" },
        conversion: { isConversion: true, value: 42.5, currency: "AUD" },
      },
      {
        eventType: "purchase",
        properties: { orderValue: 10.005 },
        conversion: { isConversion: true, value: 10.01, currency: "USD" },
      },
      {
        eventType: "purchase",
        properties: undefined,
        conversion: {
          isConversion: true,
          value: 0,
          currency: "USD",
          issue: "properties.orderValue is missing or not a non-negative number",
        },
      },
      {
        eventType: "purchase",
        properties: { orderValue: -5, currency: "EURO" },
        conversion: {
          isConversion: true,
          value: 0,
          currency: "USD",
          issue: "properties.orderValue is missing or not a non-negative number",
        },
      },
      {
        eventType: "Purchase",
        properties: { orderValue: 1 },
        conversion: { isConversion: true, value: 1, currency: "USD" },
      },
      {
        eventType: "add_to_cart",
        properties: { orderValue: 50 },
        conversion: { isConversion: false, value: 0, currency: null },
      },
    ];
    for (const c of cases) {
      it(`${c.eventType} with ${JSON.stringify(c.properties)} → ${JSON.stringify(c.conversion)}`, async () => {
        const event = withDetail(fixture("analytics-event.seed"), {
          eventType: c.eventType,
          properties: c.properties,
        });
        const result = await harness(analytics).run<EnrichedEvent>(event);
        expect(result.conversion).to.deep.equal(c.conversion);
        expect(result.enrichment.propertyCount).to.equal(Object.keys(c.properties ?? {}).length);
      });
    }
  });

  it("spreads sessions over all buckets deterministically", () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 2000; i++) buckets.add(fnv1a(`SESS-${i}`) % SESSION_BUCKETS);
    expect(buckets.size).to.equal(SESSION_BUCKETS);
    // Published FNV-1a 32-bit test vectors.
    expect(fnv1a("")).to.equal(0x811c9dc5);
    expect(fnv1a("a")).to.equal(0xe40c292c);
  });

  it("is idempotent: a replay returns the first processing time", async () => {
    const h = harness(analytics);
    const first = await h.run<EnrichedEvent>(fixture("analytics-event.seed"), NOW);
    const second = await h.run<EnrichedEvent>(
      fixture("analytics-event.seed"),
      new Date("2030-01-01T00:00:00Z"),
    );
    expect(second).to.deep.equal(first);
    expect(second.enrichment.processedAt).to.equal(NOW.toISOString());
  });
});
