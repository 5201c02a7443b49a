import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody, type RouteMetricNames } from "./dashboard";

/** One route's resource names, as outputs (resolved before the dashboard body is built). */
export type RouteMetricInputs = { readonly key: string } & {
  readonly [K in Exclude<keyof RouteMetricNames, "key">]: pulumi.Input<string>;
};

/** Arguments of the monitoring component. */
export interface MonitoringArgs {
  readonly region: pulumi.Input<string>;
  readonly busName: pulumi.Input<string>;
  /** REST API name and stage: the dimensions of API Gateway's metrics. */
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly routes: readonly RouteMetricInputs[];
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  readonly alarmEmail?: string;
}

/**
 * Alarms to one SNS topic (every failure path of every route, plus API 5xx) and a dashboard generated from the
 * table. Alarms use `notBreaching` for missing data: an idle route is healthy.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardUrl: pulumi.Output<string>;
  /** Every alarm, by resource name. */
  readonly alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:monitoring:Monitoring", name, {}, opts);
    const child = { parent: this };
    this.topic = new aws.sns.Topic(`${name}-alarms`, {}, child);
    if (args.alarmEmail) {
      new aws.sns.TopicSubscription(
        `${name}-alarm-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: args.alarmEmail },
        child,
      );
    }

    const alarm = (alarmName: string, description: string, metric: AlarmMetric) => {
      this.alarms[alarmName] = new aws.cloudwatch.MetricAlarm(
        alarmName,
        {
          alarmDescription: description,
          namespace: metric.namespace,
          metricName: metric.metricName,
          dimensions: metric.dimensions,
          statistic: metric.statistic ?? "Sum",
          period: 60,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
        },
        child,
      );
    };

    alarm(`${name}-api-5xx`, "POST /events answered 5xx (PutEvents failed or API Gateway error)", {
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions: { ApiName: args.apiName, Stage: args.stageName },
    });
    for (const route of args.routes) {
      const k = route.key;
      alarm(`${k}-dlq-not-empty`, `Route ${k}: EventBridge could not deliver events to the processor`, {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: route.dlqName },
        statistic: "Maximum",
      });
      alarm(`${k}-failed-not-empty`, `Route ${k}: the processor failed events after all retries`, {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: route.failureQueueName },
        statistic: "Maximum",
      });
      alarm(`${k}-lambda-errors`, `Route ${k}: the processor threw`, {
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: route.functionName },
      });
      alarm(`${k}-failed-invocations`, `Route ${k}: the rule failed to invoke its target`, {
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { EventBusName: args.busName, RuleName: route.ruleName },
      });
    }

    const resolvedRoutes = pulumi.output(args.routes.map((route) => pulumi.output(route)));
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${name}-${pulumi.getStack()}`,
        dashboardBody: pulumi
          .all([args.region, args.apiName, args.stageName, args.busName, resolvedRoutes])
          .apply(([region, apiName, stageName, busName, routes]) =>
            JSON.stringify(dashboardBody({ region, apiName, stageName, busName, routes })),
          ),
      },
      child,
    );
    this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${this.dashboard.dashboardName}`;
    this.registerOutputs({ topicArn: this.topic.arn, dashboardUrl: this.dashboardUrl });
  }
}

interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic?: string;
}
