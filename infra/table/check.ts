/**
 * Checks the routing table before any resource is declared, so a bad row fails the preview with its key in the
 * message instead of failing half-way through `pulumi up`. Pure: no Pulumi import.
 */
import { componentKey } from "./asyncapi";
import { CatalogError, eventCatalog, schemaVersion, type CatalogEntry } from "./catalog";
import { check } from "../pattern";
import { checkName } from "./name-rules";
import type { RouteRow } from "./row";

/** Route keys become resource and function names: keep them short, lowercase and DNS-like. */
export const ROUTE_KEY_FORMAT = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const PROCESSOR_NAME_FORMAT = /^[a-z][a-z0-9-]*$/;

/** Inclusive AWS ranges for the numeric fields of a row. */
export const ROW_LIMITS = {
  /** EventBridge target RetryPolicy.MaximumRetryAttempts. */
  maximumRetryAttempts: [0, 185],
  /** EventBridge target RetryPolicy.MaximumEventAgeInSeconds. */
  maximumEventAgeSeconds: [60, 86400],
  /** Lambda MemorySize. */
  memoryMb: [128, 10240],
  /** Lambda Timeout. */
  timeoutSeconds: [1, 900],
  /** Lambda reserved concurrency (the account's limit, 1,000 by default, may be lower: AWS checks it). */
  reservedConcurrency: [1, 10000],
} as const;

/** One problem found in the table. `row` is the key (or `#<index>` when the key itself is unusable). */
export interface TableProblem {
  readonly row: string;
  readonly message: string;
}

/**
 * Returns every problem of the table; an empty list means the table can be deployed. The physical names a key
 * leads to always fit AWS's limits (`names.ts` shortens them), so only the key's own format is checked here.
 */
export function checkRoutes(routes: readonly RouteRow[]): TableProblem[] {
  const problems: TableProblem[] = [];
  const seen = new Set<string>();
  routes.forEach((row, index) => {
    const label = typeof row?.key === "string" && row.key !== "" ? row.key : `#${index}`;
    const problem = (message: string) => problems.push({ row: label, message });

    if (typeof row?.key !== "string" || !ROUTE_KEY_FORMAT.test(row.key)) {
      problem(`key must match ${ROUTE_KEY_FORMAT} (lowercase letters, digits, dashes; 2–40 characters)`);
    } else if (seen.has(row.key)) {
      problem("duplicate key: resource names derive from the key, so keys must be unique");
    }
    if (typeof row?.key === "string") seen.add(row.key);

    const processor = row?.processor;
    if (!processor || typeof processor.handle !== "function") {
      problem("missing processor (expected an object with a handle function)");
    } else if (typeof processor.name !== "string" || !PROCESSOR_NAME_FORMAT.test(processor.name)) {
      problem(`processor name ${JSON.stringify(processor.name)} must match ${PROCESSOR_NAME_FORMAT}`);
    } else if (typeof processor.detailType !== "string" || processor.detailType === "") {
      problem(`processor "${processor.name}" has no detailType`);
    }

    const reason = check(row?.pattern);
    if (reason !== undefined) problem(`EventBridge would reject the pattern: ${reason}`);

    const inRange = (field: keyof typeof ROW_LIMITS, value: unknown, optional: boolean) => {
      if (optional && value === undefined) return;
      const [min, max] = ROW_LIMITS[field];
      if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        problem(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      }
    };
    inRange("maximumRetryAttempts", row?.retry?.maximumRetryAttempts, false);
    inRange("maximumEventAgeSeconds", row?.retry?.maximumEventAgeSeconds, false);
    inRange("memoryMb", row?.memoryMb, true);
    inRange("timeoutSeconds", row?.timeoutSeconds, true);
    inRange("reservedConcurrency", row?.reservedConcurrency, true);
  });

  // Catalogue conflicts are only meaningful once every row has a processor.
  if (problems.length === 0) {
    try {
      problems.push(...contractProblems(routes, eventCatalog(routes)));
    } catch (err) {
      if (!(err instanceof CatalogError)) throw err;
      problems.push({ row: err.row, message: err.message });
    }
  }
  return problems;
}

/**
 * The contract metadata of each row's processor: a positive integer `version` on the schema, `examples` as an
 * array, and declared `emits` that name catalogue detail-types (an emitted event nothing consumes has no schema,
 * so the catalog could not describe it and no route would see it).
 */
function contractProblems(routes: readonly RouteRow[], catalog: readonly CatalogEntry[]): TableProblem[] {
  const problems: TableProblem[] = [];
  const types = new Set(catalog.map((entry) => entry.detailType));
  // One channel and one schema per key in the catalog: a second type on the same key would vanish from it.
  const byKey = new Map<string, string>();
  for (const row of routes) {
    const { processor } = row;
    const problem = (message: string) => problems.push({ row: row.key, message });
    const key = componentKey(processor.detailType);
    const other = byKey.get(key);
    if (other !== undefined && other !== processor.detailType) {
      problem(
        `detail-type "${processor.detailType}" and "${other}" would share the catalog key "${key}": rename one`,
      );
    }
    byKey.set(key, other ?? processor.detailType);
    const version = schemaVersion(processor.schema);
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
      problem(
        `the schema of "${processor.detailType}" has version ${JSON.stringify(version)}; a version is a positive integer`,
      );
    }
    // Each detail-type names its schema in the stack's registry (infra/aws/schemas.ts): refused here, by row,
    // before any resource is declared, rather than when the registry is.
    const schemaName = checkName("schema", processor.detailType);
    if (schemaName !== undefined) problem(`the detail-type cannot name its registry schema: ${schemaName}`);
    const examples = (processor.schema as { examples?: unknown }).examples;
    if (examples !== undefined && !Array.isArray(examples)) {
      problem(`the schema of "${processor.detailType}" has "examples" that is not an array`);
    }
    const emits: unknown = processor.emits;
    if (emits === undefined) continue;
    if (!Array.isArray(emits) || !emits.every((e) => typeof e === "string")) {
      problem(`processor "${processor.name}": emits must be an array of detail-types`);
      continue;
    }
    for (const detailType of emits as string[]) {
      if (!types.has(detailType)) {
        problem(
          `processor "${processor.name}" emits "${detailType}", which no row consumes: add a route (and schema) for it`,
        );
      }
    }
  }
  return problems;
}

/** One line per problem, each starting with the row key, for the preview error. */
export function formatProblems(problems: readonly TableProblem[]): string {
  return problems.map((p) => `route "${p.row}": ${p.message}`).join("\n");
}
