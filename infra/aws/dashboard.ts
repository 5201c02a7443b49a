/**
 * The CloudWatch dashboard, generated from the routing table with awsx's widgets: one section of API widgets,
 * then one section per route, each a row of metric widgets under a title.
 *
 * Two limits shape it. awsx's `Dashboard` refuses more than 100 top-level widgets, so every section is nested
 * in one column widget. CloudWatch itself refuses a dashboard of more than 500 widgets (the leaves awsx
 * writes), so a large table is split over several dashboards (`dashboardPages`).
 */
import * as cloudwatch from "@pulumi/awsx/classic/cloudwatch";
import * as pulumi from "@pulumi/pulumi";

/** CloudWatch's limit on the widgets of one dashboard (PutDashboard). */
export const MAX_DASHBOARD_WIDGETS = 500;

/** One route's resource names, as CloudWatch metric dimensions need them. */
export interface RouteMetricNames {
  readonly key: string;
  readonly functionName: pulumi.Input<string>;
  readonly ruleName: pulumi.Input<string>;
  readonly dlqName: pulumi.Input<string>;
  readonly failureQueueName: pulumi.Input<string>;
}

/** Everything the dashboard shows. */
export interface DashboardInput {
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly busName: pulumi.Input<string>;
  /** Namespace of the stack's own metrics (the API's 429 rate, from the access logs). */
  readonly metricNamespace: string;
  readonly routes: readonly RouteMetricNames[];
}

/** The stack's metrics, each built with explicit dimensions (see `eventRuleMetric` for why). */
export const metrics = {
  api: (input: DashboardInput, name: string, statistic: cloudwatch.MetricStatistic = "Sum") =>
    new cloudwatch.Metric({
      namespace: "AWS/ApiGateway",
      name,
      dimensions: { ApiName: input.apiName, Stage: input.stageName },
      statistic,
      period: 60,
    }),
  /** Share of requests answered 429 (1 per 429 line of the access log, 0 per other line). */
  api429Rate: (namespace: string) =>
    new cloudwatch.Metric({
      namespace,
      name: API_429_METRIC,
      statistic: "Average",
      period: 60,
      label: "429 rate",
    }),
  lambda: (functionName: pulumi.Input<string>, name: string, statistic: cloudwatch.MetricStatistic = "Sum") =>
    new cloudwatch.Metric({
      namespace: "AWS/Lambda",
      name,
      dimensions: { FunctionName: functionName },
      statistic,
      period: 60,
    }),
  queue: (queueName: pulumi.Input<string>, name: string, label?: string) =>
    new cloudwatch.Metric({
      namespace: "AWS/SQS",
      name,
      dimensions: { QueueName: queueName },
      statistic: "Maximum",
      period: 60,
      label,
    }),
  /**
   * An EventBridge rule metric with BOTH dimensions. awsx's typed helpers (`metrics.events.*({ eventRule })`)
   * set only `RuleName`, which CloudWatch reads as a rule of the *default* bus: on this custom bus such an
   * alarm would never fire.
   */
  eventRule: (busName: pulumi.Input<string>, ruleName: pulumi.Input<string>, name: string) =>
    new cloudwatch.Metric({
      namespace: "AWS/Events",
      name,
      dimensions: { EventBusName: busName, RuleName: ruleName },
      statistic: "Sum",
      period: 60,
    }),
};

/** Name of the metric the access-log filter writes (see `Monitoring`). */
export const API_429_METRIC = "Api429";

const percentiles = (metric: cloudwatch.Metric) => [
  metric.withExtendedStatistic(50).withLabel("p50"),
  metric.withExtendedStatistic(99).withLabel("p99"),
];

const graph = (title: string, width: number, widgetMetrics: cloudwatch.Metric[]) =>
  new cloudwatch.LineGraphMetricWidget({ title, width, height: 6, metrics: widgetMetrics });

/** The API section: a title and four graphs. */
export function apiSection(input: DashboardInput, routeCount: number): cloudwatch.Widget[] {
  return [
    new cloudwatch.TextWidget({
      markdown: pulumi.interpolate`# Event backbone: POST /events → bus \`${input.busName}\` → ${routeCount} routes`,
      width: 24,
      height: 1,
    }),
    graph("API requests", 6, [metrics.api(input, "Count")]),
    graph("API 4xx / 5xx", 6, [metrics.api(input, "4XXError"), metrics.api(input, "5XXError")]),
    graph("API 4xx and 429 rates", 6, [
      metrics.api(input, "4XXError", "Average").withLabel("4xx rate"),
      metrics.api429Rate(input.metricNamespace),
    ]),
    graph("API latency", 6, percentiles(metrics.api(input, "Latency"))),
  ];
}

/** One route's section: a title and five graphs (rule, Lambda, duration, queue depth, oldest message). */
export function routeSection(input: DashboardInput, route: RouteMetricNames): cloudwatch.Widget[] {
  const rule = (name: string) => metrics.eventRule(input.busName, route.ruleName, name);
  const fn = (name: string, stat?: cloudwatch.MetricStatistic) =>
    metrics.lambda(route.functionName, name, stat);
  return [
    new cloudwatch.TextWidget({ markdown: `## Route \`${route.key}\``, width: 24, height: 1 }),
    graph(`${route.key}: rule`, 8, [
      rule("Invocations"),
      rule("FailedInvocations"),
      rule("InvocationsFailedToBeSentToDlq"),
    ]),
    graph(`${route.key}: Lambda errors, throttles, lost async results`, 8, [
      fn("Errors"),
      fn("Throttles"),
      fn("DestinationDeliveryFailures"),
    ]),
    graph(`${route.key}: Lambda duration`, 8, percentiles(fn("Duration"))),
    graph(`${route.key}: queue depth`, 12, [
      metrics.queue(route.dlqName, "ApproximateNumberOfMessagesVisible", "delivery DLQ"),
      metrics.queue(route.failureQueueName, "ApproximateNumberOfMessagesVisible", "failure queue"),
    ]),
    graph(`${route.key}: oldest message (s)`, 12, [
      metrics.queue(route.dlqName, "ApproximateAgeOfOldestMessage", "delivery DLQ"),
      metrics.queue(route.failureQueueName, "ApproximateAgeOfOldestMessage", "failure queue"),
    ]),
  ];
}

/**
 * Splits `routeCount` routes over dashboards of at most `max` widgets: the first page holds the API section
 * (`headerWidgets`), later ones a one-widget title. Returns the route indices of each page.
 * @throws Error when a single route section cannot fit on a page (a layout bug, not a table problem).
 */
export function dashboardPages(
  routeCount: number,
  headerWidgets: number,
  routeWidgets: number,
  max = MAX_DASHBOARD_WIDGETS,
): number[][] {
  if (headerWidgets + routeWidgets > max || 1 + routeWidgets > max) {
    throw new Error(`a route's ${routeWidgets} widgets cannot fit in a dashboard of ${max}`);
  }
  const pages: number[][] = [[]];
  let used = headerWidgets;
  for (let i = 0; i < routeCount; i++) {
    if (used + routeWidgets > max) {
      pages.push([]);
      used = 1;
    }
    pages[pages.length - 1].push(i);
    used += routeWidgets;
  }
  return pages;
}

/**
 * The widgets of every dashboard page, each page one column of sections (a section is one row widget, which
 * wraps its graphs at 24 columns). A page's leaf widget count never exceeds `MAX_DASHBOARD_WIDGETS`.
 */
export function dashboardLayout(input: DashboardInput): cloudwatch.Widget[][] {
  const header = apiSection(input, input.routes.length);
  const sections = input.routes.map((route) => routeSection(input, route));
  const pages = dashboardPages(input.routes.length, header.length, sections[0]?.length ?? 0);
  return pages.map((indices, page) => {
    const top =
      page === 0
        ? header
        : [
            new cloudwatch.TextWidget({
              markdown: `# Event backbone, routes (page ${page + 1})`,
              width: 24,
              height: 1,
            }),
          ];
    const rows = [top, ...indices.map((i) => sections[i])].map(
      (widgets) => new cloudwatch.RowWidget(...widgets),
    );
    return [new cloudwatch.ColumnWidget(...rows)];
  });
}
