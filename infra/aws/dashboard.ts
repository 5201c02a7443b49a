/**
 * The CloudWatch dashboard body, generated from the routing table: one row of API widgets, then one row per
 * route. Pure: takes resolved names, returns the JSON CloudWatch expects.
 */

/** Resolved names of one route's resources, as CloudWatch metric dimensions need them. */
export interface RouteMetricNames {
  readonly key: string;
  readonly functionName: string;
  readonly ruleName: string;
  readonly dlqName: string;
  readonly failureQueueName: string;
}

/** Everything the dashboard shows. */
export interface DashboardInput {
  readonly region: string;
  readonly apiName: string;
  readonly stageName: string;
  readonly busName: string;
  readonly routes: readonly RouteMetricNames[];
}

type Metric = (string | { stat?: string; label?: string })[];

interface Widget {
  type: "metric" | "text";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const FULL_WIDTH = 24;

/** Builds the dashboard body (pass it to `JSON.stringify`). */
export function dashboardBody(input: DashboardInput): { widgets: Widget[] } {
  const widgets: Widget[] = [];
  const api = ["ApiName", input.apiName, "Stage", input.stageName];
  const metric = (title: string, metrics: Metric[], stat = "Sum") => ({
    title,
    region: input.region,
    metrics,
    stat,
    period: 60,
    view: "timeSeries",
    stacked: false,
  });
  const row = (y: number, cells: Record<string, unknown>[]) =>
    cells.forEach((properties, i) => {
      const width = FULL_WIDTH / cells.length;
      widgets.push({ type: "metric", x: i * width, y, width, height: 6, properties });
    });

  widgets.push(
    text(0, `# Event backbone: POST /events → bus \`${input.busName}\` → ${input.routes.length} routes`),
  );
  row(1, [
    metric("API requests", [["AWS/ApiGateway", "Count", ...api]]),
    metric("API 4xx / 5xx", [
      ["AWS/ApiGateway", "4XXError", ...api],
      ["AWS/ApiGateway", "5XXError", ...api],
    ]),
    metric(
      "API latency",
      [
        ["AWS/ApiGateway", "Latency", ...api, { stat: "p50", label: "p50" }],
        ["AWS/ApiGateway", "Latency", ...api, { stat: "p99", label: "p99" }],
      ],
      "p50",
    ),
  ]);

  input.routes.forEach((route, i) => {
    const y = 7 + i * 7;
    const rule = ["EventBusName", input.busName, "RuleName", route.ruleName];
    const fn = ["FunctionName", route.functionName];
    widgets.push(text(y, `## Route \`${route.key}\``));
    row(y + 1, [
      metric(`${route.key}: rule`, [
        ["AWS/Events", "Invocations", ...rule],
        ["AWS/Events", "FailedInvocations", ...rule],
      ]),
      metric(`${route.key}: Lambda errors / throttles`, [
        ["AWS/Lambda", "Errors", ...fn],
        ["AWS/Lambda", "Throttles", ...fn],
      ]),
      metric(
        `${route.key}: Lambda duration`,
        [
          ["AWS/Lambda", "Duration", ...fn, { stat: "p50", label: "p50" }],
          ["AWS/Lambda", "Duration", ...fn, { stat: "p99", label: "p99" }],
        ],
        "p50",
      ),
      metric(
        `${route.key}: DLQ depth`,
        [
          [
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "QueueName",
            route.dlqName,
            { label: "delivery DLQ" },
          ],
          [
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "QueueName",
            route.failureQueueName,
            { label: "failure queue" },
          ],
        ],
        "Maximum",
      ),
    ]);
  });
  return { widgets };
}

function text(y: number, markdown: string): Widget {
  return { type: "text", x: 0, y, width: FULL_WIDTH, height: 1, properties: { markdown } };
}
