import { Type } from "@sinclair/typebox";
import { defineProcessor } from "./types";

/** `analytics-event`: user behaviour tracking (page views, clicks, purchases). */
export const AnalyticsEvent = Type.Object(
  {
    eventType: Type.String({ minLength: 1, maxLength: 64 }),
    userId: Type.String({ minLength: 1, maxLength: 128 }),
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    timestamp: Type.Optional(Type.String({ maxLength: 64 })),
    properties: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export default defineProcessor({
  name: "analytics",
  detailType: "analytics-event",
  schema: AnalyticsEvent,
  handle() {
    throw new Error("TODO: analytics processor");
  },
});
