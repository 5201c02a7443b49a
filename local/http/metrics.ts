/**
 * `GET /local/metrics`: Prometheus's text format (prom-client), named after the CloudWatch metrics the cloud
 * stack's dashboard shows (`infra/aws/dashboard.ts`), as `aws_<namespace>_<metric>` in snake case with the
 * dimensions as labels (the CloudWatch exporter's convention) and Prometheus's suffixes (`_total`, `_seconds`),
 * plus a `route` label. A Grafana panel on `rate(aws_lambda_errors_total{route="…"}[1m])` reads both stacks.
 *
 * Cheap on the hot path: counters are bound to their label values once per route, so an outcome costs a few
 * map-free increments and one histogram observation; gauges (backlog, DLQ depth) are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { API_SOURCE, type RouteRow, type StackNames } from "../../infra/table";
import type { DeliveryOutcome } from "../delivery";
import type { NewEvent } from "../store";

/** Where the scrape-time gauges read from. */
export interface MetricSources {
  readonly openDeliveries: number;
  dlqByRoute(): Map<string, number>;
}

/** How an accepted event entered the bus (the `entry` label of `backbone_events_accepted_total`). */
export type EntryKind = "api" | "put-events" | "emit" | "replay";

interface RouteCounters {
  eventsInvocations: Counter.Internal;
  sentToDlq: Counter.Internal;
  lambdaInvocations: Counter.Internal;
  lambdaErrors: Counter.Internal;
  duration: Histogram.Internal<string>;
  /** Since this process started, for `GET /local/routes`. */
  counts: { invocations: number; failures: number; deadLettered: number; done: number };
}

export class Metrics {
  readonly registry = new Registry();
  private readonly byRoute = new Map<string, RouteCounters>();
  private readonly accepted: Record<EntryKind, Counter.Internal>;

  constructor(routes: readonly RouteRow[], names: StackNames, sources: MetricSources) {
    const registers = [this.registry];
    const rule = ["route", "event_bus_name", "rule_name"] as const;
    const fn = ["route", "function_name"] as const;
    const eventsInvocations = new Counter({
      name: "aws_events_invocations_total",
      help: "Attempts to deliver an event to a rule's target (AWS/Events Invocations).",
      labelNames: rule,
      registers,
    });
    const sentToDlq = new Counter({
      name: "aws_events_invocations_sent_to_dlq_total",
      help: "Deliveries dead-lettered after the route's retry policy (AWS/Events InvocationsSentToDlq).",
      labelNames: rule,
      registers,
    });
    const lambdaInvocations = new Counter({
      name: "aws_lambda_invocations_total",
      help: "Processor invocations (AWS/Lambda Invocations).",
      labelNames: fn,
      registers,
    });
    const lambdaErrors = new Counter({
      name: "aws_lambda_errors_total",
      help: "Processor invocations that failed: threw, timed out or failed to emit (AWS/Lambda Errors).",
      labelNames: fn,
      registers,
    });
    const duration = new Histogram({
      name: "aws_lambda_duration_seconds",
      help: "Processor invocation duration (AWS/Lambda Duration, in seconds).",
      labelNames: fn,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const dlqNames = new Map(routes.map((r) => [r.key, names.route(r.key).dlq]));
    new Gauge({
      name: "aws_sqs_approximate_number_of_messages_visible",
      help: "Open dead letters per route's DLQ (AWS/SQS ApproximateNumberOfMessagesVisible of the DLQ).",
      labelNames: ["route", "queue_name"],
      registers,
      collect() {
        const open = sources.dlqByRoute();
        for (const [key, queue] of dlqNames) this.set({ route: key, queue_name: queue }, open.get(key) ?? 0);
      },
    });
    new Gauge({
      name: "backbone_backlog_deliveries",
      help: "Deliveries pending, in flight or waiting for a retry (POST /events answers 429 at maxPending).",
      registers,
      collect() {
        this.set(sources.openDeliveries);
      },
    });
    const acceptedTotal = new Counter({
      name: "backbone_events_accepted_total",
      help: "Events committed to the bus, by how they entered (rate() of it is the ingest rate).",
      labelNames: ["entry"],
      registers,
    });
    this.accepted = {
      api: acceptedTotal.labels("api"),
      "put-events": acceptedTotal.labels("put-events"),
      emit: acceptedTotal.labels("emit"),
      replay: acceptedTotal.labels("replay"),
    };
    for (const r of routes) {
      const n = names.route(r.key);
      const ruleLabels = { route: r.key, event_bus_name: names.bus, rule_name: n.rule };
      const fnLabels = { route: r.key, function_name: n.function };
      this.byRoute.set(r.key, {
        eventsInvocations: eventsInvocations.labels(ruleLabels),
        sentToDlq: sentToDlq.labels(ruleLabels),
        lambdaInvocations: lambdaInvocations.labels(fnLabels),
        lambdaErrors: lambdaErrors.labels(fnLabels),
        duration: duration.labels(fnLabels),
        counts: { invocations: 0, failures: 0, deadLettered: 0, done: 0 },
      });
    }
  }

  /** Counts the events of one commit by how they entered. */
  committed(events: readonly NewEvent[]): void {
    const n: Record<EntryKind, number> = { api: 0, "put-events": 0, emit: 0, replay: 0 };
    for (const e of events) n[entryKind(e)] += 1;
    for (const kind of Object.keys(n) as EntryKind[]) if (n[kind] > 0) this.accepted[kind].inc(n[kind]);
  }

  /** Counts one delivery attempt's outcome. */
  outcome(o: DeliveryOutcome): void {
    const route = this.byRoute.get(o.routeKey);
    if (!route) return;
    route.eventsInvocations.inc();
    route.lambdaInvocations.inc();
    route.duration.observe(o.durationMs / 1000);
    route.counts.invocations += 1;
    if (o.status === "done") {
      route.counts.done += 1;
      return;
    }
    route.lambdaErrors.inc();
    route.counts.failures += 1;
    if (o.status === "dead") {
      route.sentToDlq.inc();
      route.counts.deadLettered += 1;
    }
  }

  /** Attempts, failures and dead letters of one route since this process started. */
  countsOf(routeKey: string): RouteCounters["counts"] {
    return {
      ...(this.byRoute.get(routeKey)?.counts ?? { invocations: 0, failures: 0, deadLettered: 0, done: 0 }),
    };
  }

  /** The text format, with its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** How an event entered the bus. */
export function entryKind(e: NewEvent): EntryKind {
  if (e.replayName !== undefined) return "replay";
  if (e.causeEvent !== undefined) return "emit";
  return e.source === API_SOURCE ? "api" : "put-events";
}
