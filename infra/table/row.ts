/** What one row of the routing table (`infra/routes.ts`) is. Pure types: no Pulumi, no server. */
import type { Processor } from "../../processors/runtime";

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
  /** Lambda memory in MB (default `ROUTE_DEFAULTS.memoryMb`); locally, the processor's heap limit. */
  readonly memoryMb?: number;
  /** Lambda timeout in seconds (default `ROUTE_DEFAULTS.timeoutSeconds`), applied locally too. */
  readonly timeoutSeconds?: number;
  /**
   * Lambda reserved concurrency: at most this many copies of the processor run at once (and that many are kept
   * for it out of the account's pool). Unset: no reservation, the account's shared pool. AWS only.
   */
  readonly reservedConcurrency?: number;
}

/** What a row gets when it does not say: the same on AWS and locally. */
export const ROUTE_DEFAULTS = { memoryMb: 256, timeoutSeconds: 10 } as const;
