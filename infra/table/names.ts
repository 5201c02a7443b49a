/**
 * Every physical name of the stack, derived in one place from (project, stack, region, account, row key), so
 * that no name can break AWS's rules half-way through `pulumi up`, and so the local stack can show the same
 * names and ARNs as the cloud. Pure: no Pulumi, no server.
 *
 * How a name is made:
 * - `project` and `stack` are each made a *token*: characters outside `[A-Za-z0-9_-]` (Pulumi allows `.` in
 *   stack names, Lambda, SQS and CloudWatch do not) become `-`; when that changed anything, a short hash of
 *   the original is appended, so `team.prod` and `team-prod` never share names.
 * - The prefix is `<project>-<stack>`; a resource name is `<prefix>-<key>[-<suffix>]`. IAM roles and
 *   dashboards are global to the account, not regional, so theirs also carry the region.
 * - A name longer than its AWS limit keeps its head and ends in `-<hash of the whole name>`: it fits, stays
 *   readable and stays unique.
 * `checkNames` then checks every derived name against its rule (a last line of defence: a derivation bug, an
 * empty or unusable region), and reports the problem with the stack or project name and the rule.
 */
import { createHash } from "node:crypto";
import { checkName, NAME_RULES, type NameKind } from "./name-rules";

export { checkName, NAME_RULES, type NameKind, type NameRule } from "./name-rules";

/** AWS region codes (`ap-southeast-2`, `us-gov-west-1`). */
const REGION_FORMAT = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Twelve-digit AWS account ids. */
const ACCOUNT_FORMAT = /^\d{12}$/;

/** Where the names live. `region` and `account` are needed for the global names and for ARNs. */
export interface NamingContext {
  /** Pulumi project name (`Pulumi.yaml` `name`). */
  readonly project: string;
  /** Pulumi stack name, e.g. `dev` or `team.prod`. */
  readonly stack: string;
  /** AWS region code. */
  readonly region: string;
  /** AWS account id; only ARNs need it, so it may be unknown while names are derived. */
  readonly account?: string;
}

/** The physical names of one route (one row of the table). */
export interface RouteNames {
  readonly function: string;
  /** `/aws/lambda/<function>`: Lambda's own log group name, owned by the stack. */
  readonly logGroup: string;
  readonly rule: string;
  /** Id of the rule's one target (the function): the route key, which is already a valid target id. */
  readonly target: string;
  readonly role: string;
  /** Events EventBridge could not deliver to the function. */
  readonly dlq: string;
  /** Events the function failed on after Lambda's async retries. */
  readonly failureQueue: string;
  /** Alarm name for one of the route's alarms (`suffix` like `dlq-not-empty`). */
  alarm(suffix: string): string;
}

/** Every physical name of the stack. */
export interface StackNames {
  readonly context: NamingContext;
  /** `<project>-<stack>`, sanitized (see the module comment). */
  readonly prefix: string;
  readonly bus: string;
  readonly archive: string;
  readonly table: string;
  /** The EventBridge Schema Registry holding one schema per detail-type. */
  readonly schemaRegistry: string;
  readonly alarmTopic: string;
  readonly restApi: string;
  readonly usagePlan: string;
  readonly apiKey: string;
  /** Role API Gateway assumes to call PutEvents. */
  readonly apiRole: string;
  /** Managed policy that lets a caller invoke `POST /events` when `auth` is `iam`. */
  readonly invokePolicy: string;
  /** Access log group of the stage. */
  readonly accessLogGroup: string;
  /**
   * `namePrefix` of the account-wide API Gateway logging role: it is kept on `pulumi destroy`, so a unique
   * suffix lets the next `pulumi up` create a fresh one instead of colliding with the kept one.
   */
  readonly apiGatewayLoggingRolePrefix: string;
  /** Namespace of the stack's own metrics (the 429 rate from the access logs). */
  readonly metricNamespace: string;
  /** Dashboard `page` (1-based); CloudWatch caps a dashboard at 500 widgets, so a large table takes several. */
  dashboard(page: number): string;
  /** Stack-wide alarm name (`suffix` like `api-5xx`). */
  alarm(suffix: string): string;
  route(key: string): RouteNames;
}

/** ARNs of the stack's resources, for showing and matching them (the local stack's control plane, tests). */
export interface StackArns {
  readonly bus: string;
  readonly archive: string;
  readonly alarmTopic: string;
  readonly table: string;
  readonly apiRole: string;
  rule(key: string): string;
  function(key: string): string;
  role(key: string): string;
  dlq(key: string): string;
  failureQueue(key: string): string;
  logGroup(name: string): string;
  /** A replay of the archive, by its name (replays are made at run time, not by the stack). */
  replay(name: string): string;
}

/** Short stable hash (hex) used to keep sanitized or shortened names unique. */
export function shortHash(text: string, length = 6): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `raw` made safe for every name: `[A-Za-z0-9_-]` only, no leading, trailing or doubled `-`. When that changed
 * anything, `-<hash of raw>` is appended so two different raw names never give the same token.
 */
export function nameToken(raw: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === raw) return raw;
  return cleaned === "" ? shortHash(raw) : `${cleaned}-${shortHash(raw, 4)}`;
}

/**
 * `name` if it fits in `max` characters, else its head and `-<hash of the whole name>` (7 characters), with no
 * separator left dangling before the hash.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const head = name.slice(0, max - 7).replace(/[-_.]+$/, "");
  return `${head}-${shortHash(name)}`;
}

/** Derives every name of the stack. Never throws: `checkNames` says whether the result is usable. */
export function stackNames(context: NamingContext): StackNames {
  const prefix = `${nameToken(context.project)}-${nameToken(context.stack)}`;
  const region = nameToken(context.region);
  const fit = (kind: NameKind, name: string) => fitName(name, NAME_RULES[kind].max);
  return {
    context,
    prefix,
    bus: fit("bus", prefix),
    archive: fit("archive", `${prefix}-api-events`),
    table: fit("table", `${prefix}-idempotency`),
    schemaRegistry: fit("schemaRegistry", `${prefix}-contracts`),
    alarmTopic: fit("topic", `${prefix}-alarms`),
    restApi: fit("apiName", `${prefix}-ingress`),
    usagePlan: fit("apiName", `${prefix}-clients`),
    apiKey: fit("apiName", `${prefix}-client`),
    apiRole: fit("role", `${prefix}-put-events-${region}`),
    invokePolicy: fit("role", `${prefix}-invoke-${region}`),
    accessLogGroup: fit("logGroup", `/aws/apigateway/${prefix}-ingress/access`),
    // The provider appends a 26-character suffix; keep the readable part short.
    apiGatewayLoggingRolePrefix: `${fitName(`${prefix}-apigw-logs`, NAME_RULES.rolePrefix.max - 1)}-`,
    metricNamespace: fit("metricNamespace", `EventBackbone/${prefix}`),
    dashboard: (page) => fit("dashboard", `${prefix}-${region}${page > 1 ? `-${page}` : ""}`),
    alarm: (suffix) => fit("alarm", `${prefix}-${suffix}`),
    route: (key) => {
      const fn = fit("function", `${prefix}-${key}`);
      return {
        function: fn,
        logGroup: `/aws/lambda/${fn}`,
        rule: fit("rule", `${prefix}-${key}`),
        target: fit("targetId", key),
        role: fit("role", `${prefix}-${key}-${region}`),
        dlq: fit("queue", `${prefix}-${key}-dlq`),
        failureQueue: fit("queue", `${prefix}-${key}-failed`),
        alarm: (suffix) => fit("alarm", `${prefix}-${key}-${suffix}`),
      };
    },
  };
}

/** ARNs of the stack's resources in `names.context.region` and `account`. */
export function stackArns(names: StackNames, account: string): StackArns {
  const { region } = names.context;
  const arn = (service: string, resource: string, where = region) =>
    `arn:aws:${service}:${where}:${account}:${resource}`;
  return {
    bus: arn("events", `event-bus/${names.bus}`),
    archive: arn("events", `archive/${names.archive}`),
    alarmTopic: arn("sns", names.alarmTopic),
    table: arn("dynamodb", `table/${names.table}`),
    apiRole: arn("iam", `role/${names.apiRole}`, ""),
    rule: (key) => arn("events", `rule/${names.bus}/${names.route(key).rule}`),
    function: (key) => arn("lambda", `function:${names.route(key).function}`),
    role: (key) => arn("iam", `role/${names.route(key).role}`, ""),
    dlq: (key) => arn("sqs", names.route(key).dlq),
    failureQueue: (key) => arn("sqs", names.route(key).failureQueue),
    logGroup: (name) => arn("logs", `log-group:${name}`),
    replay: (name) => arn("events", `replay/${name}`),
  };
}

/** One naming problem, in words that name the stack or project name and the rule it breaks. */
export interface NameProblem {
  readonly kind: NameKind | "region" | "account";
  readonly name: string;
  readonly message: string;
}

/**
 * Every name `names` derives for the stack and for `routeKeys`, with its kind. Alarm names end in a suffix the
 * caller picks; the longest the stack uses stands for all of them.
 */
export function derivedNames(names: StackNames, routeKeys: readonly string[]): [NameKind, string][] {
  const all: [NameKind, string][] = [
    ["bus", names.bus],
    ["archive", names.archive],
    ["table", names.table],
    ["schemaRegistry", names.schemaRegistry],
    ["topic", names.alarmTopic],
    ["apiName", names.restApi],
    ["apiName", names.usagePlan],
    ["apiName", names.apiKey],
    ["role", names.apiRole],
    ["role", names.invokePolicy],
    ["logGroup", names.accessLogGroup],
    ["rolePrefix", names.apiGatewayLoggingRolePrefix],
    ["metricNamespace", names.metricNamespace],
    ["dashboard", names.dashboard(1)],
    ["alarm", names.alarm("api-4xx-rate")],
  ];
  for (const key of routeKeys) {
    const route = names.route(key);
    all.push(
      ["function", route.function],
      ["logGroup", route.logGroup],
      ["rule", route.rule],
      ["targetId", route.target],
      ["role", route.role],
      ["queue", route.dlq],
      ["queue", route.failureQueue],
      ["alarm", route.alarm("destination-delivery-failures")],
    );
  }
  return all;
}

/**
 * Checks every name of the stack (and each route key's names) against AWS's rules. Each message starts with
 * the stack and project the names come from, so a preview error says which name to change.
 */
export function checkNames(names: StackNames, routeKeys: readonly string[]): NameProblem[] {
  const { project, stack, region, account } = names.context;
  const origin = `stack "${stack}" of project "${project}"`;
  const problems: NameProblem[] = [];
  if (!REGION_FORMAT.test(region)) {
    problems.push({
      kind: "region",
      name: region,
      message: `${origin}: region ${JSON.stringify(region)} is not an AWS region code (set aws:region)`,
    });
  }
  if (account !== undefined && !ACCOUNT_FORMAT.test(account)) {
    problems.push({
      kind: "account",
      name: account,
      message: `${origin}: account ${JSON.stringify(account)} is not a 12-digit AWS account id`,
    });
  }
  for (const [kind, name] of derivedNames(names, routeKeys)) {
    const problem = checkName(kind, name);
    if (problem !== undefined) problems.push({ kind, name, message: `${origin}: ${problem}` });
  }
  return problems;
}
