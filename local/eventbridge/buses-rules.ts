/**
 * The read side of EventBridge's buses, rules and targets: `ListEventBuses`, `DescribeEventBus`, `ListRules`,
 * `DescribeRule`, `ListTargetsByRule`, `ListRuleNamesByTarget`. One rule per row of the routing table, on the
 * stack's bus, with the row's pattern and description, one target (the route's function, its retry policy and
 * DLQ), named as the cloud stack names them; the default bus has none, as on AWS.
 */
import type { RouteRow } from "../../infra/table";
import { busArn, optionalString, page, requiredString, resolveBus, seconds } from "./control";
import type { ControlPlane } from "./context";
import { resourceNotFound } from "./errors";

export function listEventBuses(control: ControlPlane, input: Record<string, unknown>): unknown {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const buses = ["default", control.names.bus]
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => busShape(control, name));
  const { items, NextToken } = page(input, "ListEventBuses", buses);
  return { EventBuses: items, ...(NextToken ? { NextToken } : {}) };
}

export function describeEventBus(control: ControlPlane, input: Record<string, unknown>): unknown {
  const bus = resolveBus(control, optionalString(input, "Name"));
  return busShape(control, bus === "default" ? "default" : control.names.bus);
}

export function listRules(control: ControlPlane, input: Record<string, unknown>): unknown {
  const bus = resolveBus(control, optionalString(input, "EventBusName"));
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const rules = rulesOf(control, bus)
    .filter((r) => control.names.route(r.key).rule.startsWith(prefix))
    .map((r) => ruleShape(control, r));
  const { items, NextToken } = page(input, "ListRules", rules);
  return { Rules: items, ...(NextToken ? { NextToken } : {}) };
}

export function describeRule(control: ControlPlane, input: Record<string, unknown>): unknown {
  const row = findRule(control, input, "Name");
  return { ...ruleShape(control, row), CreatedBy: control.account };
}

export function listTargetsByRule(control: ControlPlane, input: Record<string, unknown>): unknown {
  const row = findRule(control, input, "Rule");
  const { items, NextToken } = page(input, "ListTargetsByRule", [targetShape(control, row)]);
  return { Targets: items, ...(NextToken ? { NextToken } : {}) };
}

export function listRuleNamesByTarget(control: ControlPlane, input: Record<string, unknown>): unknown {
  const targetArn = requiredString(input, "TargetArn");
  const bus = resolveBus(control, optionalString(input, "EventBusName"));
  const names = rulesOf(control, bus)
    .filter((r) => control.arns.function(r.key) === targetArn)
    .map((r) => control.names.route(r.key).rule);
  const { items, NextToken } = page(input, "ListRuleNamesByTarget", names);
  return { RuleNames: items, ...(NextToken ? { NextToken } : {}) };
}

/** The rows whose rules live on `bus`, in rule-name order (AWS lists rules by name). */
function rulesOf(control: ControlPlane, bus: "default" | "backbone"): RouteRow[] {
  if (bus === "default") return [];
  const rule = (r: RouteRow) => control.names.route(r.key).rule;
  return [...control.routes].sort((a, b) => (rule(a) < rule(b) ? -1 : rule(a) > rule(b) ? 1 : 0));
}

/** The row whose rule is named by member `key`, on the call's `EventBusName`; throws AWS's not-found. */
function findRule(control: ControlPlane, input: Record<string, unknown>, key: string): RouteRow {
  const name = requiredString(input, key);
  const given = optionalString(input, "EventBusName");
  const bus = resolveBus(control, given);
  const row = rulesOf(control, bus).find((r) => control.names.route(r.key).rule === name);
  if (!row) {
    throw resourceNotFound(
      `Rule ${name} does not exist on EventBus ${bus === "default" ? "default" : control.names.bus}.`,
    );
  }
  return row;
}

function busShape(control: ControlPlane, name: string) {
  const created = seconds(control.createdAt);
  return { Name: name, Arn: busArn(control, name), CreationTime: created, LastModifiedTime: created };
}

function ruleShape(control: ControlPlane, row: RouteRow) {
  return {
    Name: control.names.route(row.key).rule,
    Arn: control.arns.rule(row.key),
    // The cloud stack's rule gets `JSON.stringify(row.pattern)` too (infra/aws/route.ts).
    EventPattern: JSON.stringify(row.pattern),
    State: "ENABLED",
    Description: row.description,
    EventBusName: control.names.bus,
  };
}

function targetShape(control: ControlPlane, row: RouteRow) {
  return {
    Id: control.names.route(row.key).target,
    Arn: control.arns.function(row.key),
    RetryPolicy: {
      MaximumRetryAttempts: row.retry.maximumRetryAttempts,
      MaximumEventAgeInSeconds: row.retry.maximumEventAgeSeconds,
    },
    DeadLetterConfig: { Arn: control.arns.dlq(row.key) },
  };
}
