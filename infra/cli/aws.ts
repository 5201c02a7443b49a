/**
 * A deployed stack as a target, from its outputs (`outputs.ts`): routes from EventBridge (`ListRules`,
 * `ListTargetsByRule`), replays through the archive (`StartReplay` restricted to a route's rule with
 * `Destination.FilterArns`, progress from `DescribeReplay`), dead letters through SQS and Lambda
 * (`aws-queues.ts`), the processors' logs through CloudWatch Logs (`aws-logs.ts`). `endpoint` sends every call
 * to one URL instead (as the aws CLI's `--endpoint-url`): the local stack answers the EventBridge ones.
 */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeEventBusCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  StartReplayCommand,
  type DescribeReplayCommandOutput,
  type Rule,
} from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { aws } from "./aws-call";
import { stackHealth } from "./aws-health";
import { Logs, type RouteLogs } from "./aws-logs";
import { Queues, queuesOf, type RouteQueue } from "./aws-queues";
import { CommandFailed, UsageError } from "./errors";
import { whereOf, type StackOutputs } from "./outputs";
import type * as T from "./target";

/** How the AWS clients are made. */
export interface AwsSettings {
  /** Default: the region of the stack's bus ARN. */
  region?: string;
  /** Every call goes here (`--endpoint-url`). */
  endpoint?: string;
  /** Merged into each client's configuration (tests pass credentials here). */
  clientConfig?: Record<string, unknown>;
  /** Label for messages (`stack dev`). */
  label: string;
  /** `events show` looks this far back (ms). */
  showWindowMs: number;
  now: () => number;
}

export class AwsTarget implements T.Target {
  readonly name: string;
  private readonly region: string;
  private readonly eventBridge: EventBridgeClient;
  private readonly queues: Queues;
  private readonly logs: Logs;

  constructor(
    private readonly outputs: StackOutputs,
    private readonly settings: AwsSettings,
  ) {
    const where = whereOf(outputs);
    this.region = settings.region ?? where.region;
    this.name = `${settings.label} (${this.region})`;
    const config = {
      region: this.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...settings.clientConfig,
    };
    this.eventBridge = new EventBridgeClient(config);
    this.queues = new Queues(new SQSClient(config), new LambdaClient(config), this.region);
    this.logs = new Logs(new CloudWatchLogsClient(config), this.region);
  }

  async routes() {
    const rules = await this.rules();
    const routes: T.RouteLine[] = [];
    for (const rule of rules) {
      const targets = await this.call(() =>
        this.eventBridge.send(
          new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: this.outputs.busName }),
        ),
      );
      const key = this.keyOfRule(rule.Name as string);
      const deadLetters = key === undefined ? undefined : await this.deadLetters([key]);
      routes.push({
        ...(key !== undefined ? { key } : {}),
        ruleName: rule.Name as string,
        state: rule.State ?? "?",
        target: targets.Targets?.map((t) => t.Arn).join(", "),
        pattern: rule.EventPattern,
        ...(deadLetters !== undefined ? { deadLetters } : {}),
      });
    }
    // In the table's order (the outputs keep it), then any rule the table did not make.
    const order = Object.keys(this.outputs.routeResources);
    const rank = (r: T.RouteLine) => (r.key === undefined ? order.length : order.indexOf(r.key));
    routes.sort((a, b) => rank(a) - rank(b));
    return { routes, raw: rules };
  }

  async tail(
    filter: T.TailFilter,
    onLine: (line: T.TailLine) => void,
    signal: AbortSignal,
    onReady: () => void,
  ): Promise<void> {
    let keys = this.routeKeys(filter.route);
    if (filter.detailType !== undefined) {
      const receiving = new Set(
        (await this.rules())
          .filter((r) => receives(r.EventPattern, filter.detailType as string))
          .map((r) => this.keyOfRule(r.Name as string)),
      );
      keys = keys.filter((k) => receiving.has(k));
      if (keys.length === 0) {
        throw new UsageError(
          `no route${filter.route ? ` ${filter.route}` : ""} receives detail-type ${filter.detailType}`,
        );
      }
    }
    await this.logs.tail(this.logGroups(keys), onLine, signal, onReady);
  }

  async show(eventId: string) {
    const since = this.settings.now() - this.settings.showWindowMs;
    const found = await this.logs.show(eventId, this.logGroups(this.routeKeys()), since);
    if (found.tree.children.length === 0) {
      const hours = Math.round(this.settings.showWindowMs / 3_600_000);
      throw new CommandFailed(`no processor logged event ${eventId} in the last ${hours} h`);
    }
    return found;
  }

  async dlqList(route?: string): Promise<T.DlqListing> {
    const queues = queuesOf(this.outputs.routeResources, this.routeKeys(route));
    const counts = await Promise.all(queues.map((q) => this.queues.count(q)));
    const peeked = await Promise.all(queues.map((q, i) => (counts[i] > 0 ? this.queues.peek(q) : [])));
    const entries = peeked.flat();
    const count = counts.reduce((a, b) => a + b, 0);
    return {
      entries,
      count,
      raw: { count, queues: queues.map((q, i) => ({ ...q, count: counts[i], entries: peeked[i] })) },
    };
  }

  async dlqRedrive(select: { route?: string; ids?: string[] }): Promise<T.RedriveResult> {
    const ids = select.ids ? new Set(select.ids) : undefined;
    const queues = queuesOf(this.outputs.routeResources, this.routeKeys(select.route));
    const results: { queue: RouteQueue; redriven: string[]; failed: { id: string; error: string }[] }[] = [];
    for (const queue of queues) {
      const result = await this.queues.redrive(queue, ids);
      results.push({ queue, ...result });
      if (ids && [...ids].every((id) => results.some((r) => r.redriven.includes(id)))) break;
    }
    const redriven = results.flatMap((r) => r.redriven);
    const failed = results.flatMap((r) => r.failed);
    for (const id of ids ?? []) {
      if (!redriven.includes(id) && !failed.some((f) => f.id === id)) {
        failed.push({ id, error: "not in the route's DLQ or failure queue" });
      }
    }
    return { redriven: redriven.length, ids: redriven, failed, raw: results };
  }

  async startReplay(request: T.ReplayRequest): Promise<T.ReplayProgress> {
    const filter = request.route ? [this.resources(request.route).ruleArn] : undefined;
    await this.call(() =>
      this.eventBridge.send(
        new StartReplayCommand({
          ReplayName: request.name,
          Description: `backbone replay of ${request.route ? `route ${request.route}` : "every route"}`,
          EventSourceArn: this.outputs.archiveArn,
          EventStartTime: request.from,
          EventEndTime: request.to,
          Destination: { Arn: this.outputs.busArn, ...(filter ? { FilterArns: filter } : {}) },
        }),
      ),
    );
    return this.replayProgress(request.name);
  }

  async replayProgress(name: string): Promise<T.ReplayProgress> {
    const out = await this.call(() => this.eventBridge.send(new DescribeReplayCommand({ ReplayName: name })));
    return {
      name,
      state: out.State ?? "?",
      fraction: timeFraction(out),
      reason: out.StateReason,
      raw: { ...out, $metadata: undefined },
    };
  }

  async health(): Promise<T.Health> {
    const bus = await this.call(() =>
      this.eventBridge.send(new DescribeEventBusCommand({ Name: this.outputs.busName })),
    );
    const rules = await this.rules();
    const keys = this.routeKeys();
    const queues = await Promise.all(
      queuesOf(this.outputs.routeResources, keys).map(async (queue) => ({
        queue,
        count: await this.queues.count(queue),
      })),
    );
    return stackHealth({
      bus: { Name: bus.Name, Arn: bus.Arn },
      rules: keys.map((route) => ({
        route,
        state: rules.find((r) => r.Name === this.resources(route).ruleName)?.State ?? "MISSING",
      })),
      queues,
    });
  }

  /** Every rule on the stack's bus, page by page. */
  private async rules(): Promise<Rule[]> {
    const rules: Rule[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call(() =>
        this.eventBridge.send(new ListRulesCommand({ EventBusName: this.outputs.busName, NextToken })),
      );
      rules.push(...(page.Rules ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return rules;
  }

  private call<T>(call: () => Promise<T>): Promise<T> {
    return aws(`EventBridge in ${this.region}`, call);
  }

  /** Every route key of the stack, or just `route` (a `UsageError` naming the keys when unknown). */
  private routeKeys(route?: string): string[] {
    const keys = Object.keys(this.outputs.routeResources);
    if (route === undefined) return keys;
    if (!keys.includes(route)) throw new UsageError(`unknown route ${route} (routes: ${keys.join(", ")})`);
    return [route];
  }

  private resources(route: string) {
    return this.outputs.routeResources[this.routeKeys(route)[0]];
  }

  private keyOfRule(ruleName: string): string | undefined {
    return Object.entries(this.outputs.routeResources).find(([, r]) => r.ruleName === ruleName)?.[0];
  }

  private logGroups(keys: readonly string[]): RouteLogs[] {
    const { partition, account } = whereOf(this.outputs);
    return keys.map((routeKey) => {
      const logGroupName = this.outputs.routeResources[routeKey].logGroupName;
      return {
        routeKey,
        logGroupName,
        logGroupArn: `arn:${partition}:logs:${this.region}:${account}:log-group:${logGroupName}`,
      };
    });
  }

  private async deadLetters(keys: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      queuesOf(this.outputs.routeResources, keys).map((q) => this.queues.count(q)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}

/** Whether a rule's pattern can match `detailType`: it names it, or constrains no detail-type at all. */
function receives(pattern: string | undefined, detailType: string): boolean {
  try {
    const parsed = JSON.parse(pattern ?? "{}") as Record<string, unknown>;
    const wanted = parsed["detail-type"];
    return !Array.isArray(wanted) || wanted.includes(detailType);
  } catch {
    return true;
  }
}

/** How far a replay got, by event time: AWS reports no counts, only the last replayed event's time. */
function timeFraction(out: DescribeReplayCommandOutput): number | undefined {
  if (out.State === "COMPLETED") return 1;
  const start = out.EventStartTime?.getTime();
  const end = out.EventEndTime?.getTime();
  const last = out.EventLastReplayedTime?.getTime();
  if (start === undefined || end === undefined || last === undefined || end <= start) return undefined;
  return Math.max(0, Math.min(1, (last - start) / (end - start)));
}
