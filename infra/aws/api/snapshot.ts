/**
 * The deployment trigger of the REST API. A deployment is a snapshot of the API's methods, integrations,
 * responses, models and validators: a change to any of them reaches clients only through a new deployment.
 * The trigger is a hash of the *resolved inputs* of every snapshotted resource, so every field counts, those
 * nobody thought of included (an integration's credentials, request parameters, passthrough behaviour...).
 * Pure: no Pulumi import; the component resolves the inputs and calls `deploymentTrigger`.
 */
import { createHash } from "node:crypto";

/** Pulumi types of the resources a deployment snapshots (and `MethodSettings`, which the stage applies). */
export const SNAPSHOTTED_TYPES = [
  "aws:apigateway/restApi:RestApi",
  "aws:apigateway/resource:Resource",
  "aws:apigateway/model:Model",
  "aws:apigateway/requestValidator:RequestValidator",
  "aws:apigateway/method:Method",
  "aws:apigateway/integration:Integration",
  "aws:apigateway/methodResponse:MethodResponse",
  "aws:apigateway/integrationResponse:IntegrationResponse",
  "aws:apigateway/response:Response",
  "aws:apigateway/methodSettings:MethodSettings",
] as const;

export type SnapshottedType = (typeof SNAPSHOTTED_TYPES)[number];

/** One resource the deployment snapshots: its Pulumi type token, its name and its inputs, resolved. */
export interface SnapshotEntry {
  readonly type: string;
  readonly name: string;
  readonly inputs: unknown;
}

/**
 * JSON with object keys sorted and `undefined` members dropped (as Pulumi drops them when it sends inputs),
 * so equal inputs always hash equally whatever order they were written in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the canonical form of every entry, in type-then-name order. */
export function deploymentTrigger(entries: readonly SnapshotEntry[]): string {
  const ordered = [...entries].sort((a, b) =>
    a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type < b.type ? -1 : 1,
  );
  return createHash("sha256")
    .update(canonicalJson(ordered.map((e) => ({ type: e.type, name: e.name, inputs: e.inputs }))))
    .digest("hex");
}
