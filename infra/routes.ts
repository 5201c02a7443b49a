/**
 * THE routing table. One row per route; everything else (rules, targets, DLQs, permissions, alarms, dashboard
 * widgets, API validation and local routing) is derived from it. Pure data: no Pulumi import, so the local
 * stack and the tests share it.
 *
 * Adding an event type: write `processors/<name>.ts` (schema + handler) and add a row here.
 */
import analytics from "../processors/analytics";
import escalation from "../processors/escalation";
import notification from "../processors/notification";
import order from "../processors/order";
import support, { ESCALATED_PRIORITIES } from "../processors/support";
import type { Processor } from "../processors/types";
import user from "../processors/user";
import { SOURCE_PREFIX } from "./sources";

/** An EventBridge event pattern, as JSON. Validated at program start by the pattern engine. */
export type EventPattern = { readonly [field: string]: unknown };

/** How EventBridge retries delivery to the target before sending the event to the route's DLQ. */
export interface RetryPolicy {
  /** 0–185. */
  readonly maximumRetryAttempts: number;
  /** 60–86400 seconds. */
  readonly maximumEventAgeSeconds: number;
}

/** One route: an event pattern on the bus delivered to one processor. */
export interface RouteRow {
  /** Stable key: lowercase letters, digits and dashes, at most 40 characters. Resource names derive from it. */
  readonly key: string;
  /** One line for humans (rule description, dashboard). */
  readonly description: string;
  /** Full EventBridge event pattern. */
  readonly pattern: EventPattern;
  /** The processor that receives matching events. */
  readonly processor: Processor;
  readonly retry: RetryPolicy;
  /** Lambda memory in MB (default 256). */
  readonly memoryMb?: number;
  /** Lambda timeout in seconds (default 10). */
  readonly timeoutSeconds?: number;
}

/** Every event on the bus comes from the API or a processor; the prefix keeps foreign events out. */
const fromBackbone = [{ prefix: SOURCE_PREFIX }];

const standardRetry: RetryPolicy = { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 };

export const routes: readonly RouteRow[] = [
  {
    key: "order-created",
    description: "E-commerce order processing: validate, total, confirm",
    pattern: { source: fromBackbone, "detail-type": ["order-created"] },
    processor: order,
    retry: standardRetry,
  },
  {
    key: "user-registered",
    description: "Customer onboarding: welcome flow and welcome notification",
    pattern: { source: fromBackbone, "detail-type": ["user-registered"] },
    processor: user,
    retry: standardRetry,
  },
  {
    key: "notification-sent",
    description: "Notifications: pick the channel and render the message",
    pattern: { source: fromBackbone, "detail-type": ["notification-sent"] },
    processor: notification,
    retry: { maximumRetryAttempts: 5, maximumEventAgeSeconds: 3600 },
  },
  {
    key: "support-ticket",
    description: "Support tickets: team routing and SLA",
    pattern: { source: fromBackbone, "detail-type": ["support-ticket"] },
    processor: support,
    retry: standardRetry,
  },
  {
    key: "support-escalation",
    description: "High and urgent tickets only: page the senior on-call team",
    pattern: {
      source: fromBackbone,
      "detail-type": ["support-ticket"],
      detail: { priority: [...ESCALATED_PRIORITIES] },
    },
    processor: escalation,
    retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 900 },
    timeoutSeconds: 5,
  },
  {
    key: "analytics-event",
    description: "Analytics: enrichment and conversion tracking",
    pattern: { source: fromBackbone, "detail-type": ["analytics-event"] },
    processor: analytics,
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 7200 },
    memoryMb: 512,
  },
];
