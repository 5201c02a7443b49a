/**
 * Alarms on every way an event can be lost or refused, to one SNS topic, and the dashboards, all generated
 * from the table with awsx's CloudWatch helpers (`Metric.createAlarm`, row and column widgets).
 */
import * as cloudwatch from "@pulumi/awsx/classic/cloudwatch";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackNames } from "../table";
import {
  API_429_METRIC,
  dashboardLayout,
  metrics,
  type DashboardInput,
  type RouteMetricNames,
} from "./dashboard";

/** Arguments of the monitoring component. */
export interface MonitoringArgs {
  readonly region: pulumi.Input<string>;
  readonly busName: pulumi.Input<string>;
  /** REST API name and stage: the dimensions of API Gateway's metrics. */
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  /** The stage's access log group: a metric filter turns its 429 lines into the 429 rate. */
  readonly accessLogGroupName: pulumi.Input<string>;
  readonly routes: readonly RouteMetricNames[];
  /** Topic, alarm, dashboard and metric names (`names.ts`). */
  readonly names: Pick<StackNames, "alarmTopic" | "alarm" | "dashboard" | "metricNamespace" | "route">;
  /** How long the route queues keep a message: the age alarms fire at half of it, before anything expires. */
  readonly queueRetentionSeconds: number;
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  readonly alarmEmail?: string;
}

/** Alarm thresholds, in one place (README "Alarms" lists them). */
export const ALARM_THRESHOLDS = {
  /** Share of requests answered 4xx over 5 minutes (bad bodies, unknown types, refused callers, throttling). */
  api4xxRate: 0.05,
  /** Share of requests answered 429 over 5 minutes (stage throttle, quota, throttled PutEvents). */
  api429Rate: 0.01,
} as const;

/** How an alarm fires: above `threshold` over `periods` periods of `period` seconds. */
interface AlarmRule {
  readonly threshold: number;
  readonly period?: number;
  readonly comparison?: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
}

/**
 * Alarms to one SNS topic and a dashboard (or several, for a large table) generated from the table. Alarms
 * treat missing data as `notBreaching`: an idle route is healthy.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly dashboards: cloudwatch.Dashboard[];
  /** Console URL of the first dashboard. */
  readonly dashboardUrl: pulumi.Output<string>;
  /** Console URLs of every dashboard, in page order. */
  readonly dashboardUrls: pulumi.Output<string>[];
  /** Every alarm, by resource name. */
  readonly alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:monitoring:Monitoring", name, {}, opts);
    const child = { parent: this };
    const { names } = args;
    this.topic = new aws.sns.Topic(`${name}-alarms`, { name: names.alarmTopic }, child);
    if (args.alarmEmail) {
      new aws.sns.TopicSubscription(
        `${name}-alarm-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: args.alarmEmail },
        child,
      );
    }

    const alarm = (
      resourceName: string,
      alarmName: string,
      description: string,
      metric: cloudwatch.Metric,
      rule: AlarmRule,
    ) => {
      const period = rule.period ?? 60;
      this.alarms[resourceName] = metric.withPeriod(period).createAlarm(
        resourceName,
        {
          name: alarmName,
          alarmDescription: description,
          threshold: rule.threshold,
          comparisonOperator: rule.comparison ?? "GreaterThanThreshold",
          evaluationPeriods: 1,
          treatMissingData: "notBreaching",
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
        },
        child,
      );
    };

    const input: DashboardInput = {
      apiName: args.apiName,
      stageName: args.stageName,
      busName: args.busName,
      metricNamespace: names.metricNamespace,
      routes: args.routes,
    };

    // 1 for each 429 line of the access log, 0 for any other line: the metric's average is the 429 rate.
    new aws.cloudwatch.LogMetricFilter(
      `${name}-api-429`,
      {
        logGroupName: args.accessLogGroupName,
        pattern: '{ $.status = "429" }',
        metricTransformation: {
          name: API_429_METRIC,
          namespace: names.metricNamespace,
          value: "1",
          defaultValue: "0",
        },
      },
      child,
    );
    alarm(
      `${name}-api-5xx`,
      names.alarm("api-5xx"),
      "POST /events answered 5xx (PutEvents failed or API Gateway error)",
      metrics.api(input, "5XXError"),
      { threshold: 0 },
    );
    alarm(
      `${name}-api-4xx-rate`,
      names.alarm("api-4xx-rate"),
      `More than ${ALARM_THRESHOLDS.api4xxRate * 100}% of POST /events answered 4xx over 5 minutes`,
      metrics.api(input, "4XXError", "Average"),
      { threshold: ALARM_THRESHOLDS.api4xxRate, period: 300 },
    );
    alarm(
      `${name}-api-429-rate`,
      names.alarm("api-429-rate"),
      `More than ${ALARM_THRESHOLDS.api429Rate * 100}% of POST /events answered 429 over 5 minutes (throttled)`,
      metrics.api429Rate(names.metricNamespace),
      { threshold: ALARM_THRESHOLDS.api429Rate, period: 300 },
    );

    const oldest = args.queueRetentionSeconds / 2;
    for (const route of args.routes) {
      const k = route.key;
      const routeAlarm = (suffix: string, description: string, metric: cloudwatch.Metric, rule: AlarmRule) =>
        alarm(`${k}-${suffix}`, names.route(k).alarm(suffix), `Route ${k}: ${description}`, metric, rule);
      const rule = (metric: string) => metrics.eventRule(args.busName, route.ruleName, metric);
      routeAlarm(
        "dlq-not-empty",
        "EventBridge could not deliver events to the processor",
        metrics.queue(route.dlqName, "ApproximateNumberOfMessagesVisible"),
        { threshold: 0 },
      );
      routeAlarm(
        "failed-not-empty",
        "the processor failed events after all retries",
        metrics.queue(route.failureQueueName, "ApproximateNumberOfMessagesVisible"),
        { threshold: 0 },
      );
      routeAlarm("lambda-errors", "the processor threw", metrics.lambda(route.functionName, "Errors"), {
        threshold: 0,
      });
      routeAlarm("failed-invocations", "the rule failed to invoke its target", rule("FailedInvocations"), {
        threshold: 0,
      });
      routeAlarm(
        "invocations-failed-to-dlq",
        "events neither delivered nor dead-lettered (the DLQ was unreachable): lost",
        rule("InvocationsFailedToBeSentToDlq"),
        { threshold: 0 },
      );
      routeAlarm(
        "destination-delivery-failures",
        "Lambda could not send failed events to the failure queue: lost",
        metrics.lambda(route.functionName, "DestinationDeliveryFailures"),
        { threshold: 0 },
      );
      routeAlarm(
        "dlq-oldest",
        `a dead letter is older than ${oldest / 86400} days; SQS drops it at ${args.queueRetentionSeconds / 86400}`,
        metrics.queue(route.dlqName, "ApproximateAgeOfOldestMessage"),
        { threshold: oldest, period: 300, comparison: "GreaterThanOrEqualToThreshold" },
      );
      routeAlarm(
        "failed-oldest",
        `a failed event is older than ${oldest / 86400} days; SQS drops it at ${args.queueRetentionSeconds / 86400}`,
        metrics.queue(route.failureQueueName, "ApproximateAgeOfOldestMessage"),
        { threshold: oldest, period: 300, comparison: "GreaterThanOrEqualToThreshold" },
      );
    }

    this.dashboards = dashboardLayout(input).map(
      (widgets, i) =>
        new cloudwatch.Dashboard(
          i === 0 ? `${name}-dashboard` : `${name}-dashboard-${i + 1}`,
          { name: names.dashboard(i + 1), region: args.region as pulumi.Input<aws.Region>, widgets },
          child,
        ),
    );
    this.dashboardUrls = this.dashboards.map((d) => d.url);
    this.dashboardUrl = this.dashboardUrls[0];
    this.registerOutputs({ topicArn: this.topic.arn, dashboardUrls: this.dashboardUrls });
  }
}
