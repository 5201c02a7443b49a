/**
 * The breaking-change gate: the committed catalog (the published contracts) against the current table.
 *
 * - `npm run contract:check` (in `npm test`) fails on a removed detail-type, on a breaking schema change at the
 *   same version, on a lowered version, and on a bumped version whose catalog was not regenerated (a bump is
 *   published by regenerating). Compatible changes and new detail-types pass, with a note to regenerate.
 * - `npm run catalog` writes the catalog, and refuses what the check would call breaking unless the type's
 *   version was bumped (a removed detail-type needs `--allow-removal`): regenerating cannot hide a break.
 * Pure: no I/O.
 */
import type { Contract } from "./asyncapi";
import { compareSchemas, type SchemaChange } from "./schema-diff";

/** What happened to one detail-type between the catalog and the table. */
export type FindingKind =
  /** In the catalog, gone from the table. */
  | "removed"
  /** Breaking schema changes at the catalog's version. */
  | "breaking"
  /** The table's version is below the catalog's. */
  | "version-lowered"
  /** The table's version is above the catalog's (changes, breaking or not, are allowed, once regenerated). */
  | "version-bumped"
  /** Only compatible schema changes. */
  | "compatible"
  /** In the table, not yet in the catalog. */
  | "added";

/** One detail-type's verdict. */
export interface Finding {
  readonly detailType: string;
  readonly kind: FindingKind;
  /** One line for humans, saying what to do. */
  readonly message: string;
  /** The schema changes behind the verdict (breaking and compatible ones). */
  readonly changes: readonly SchemaChange[];
}

/** Every difference between the committed catalog's contracts and the table's, sorted by detail-type. */
export function contractFindings(committed: readonly Contract[], current: readonly Contract[]): Finding[] {
  const findings: Finding[] = [];
  const now = new Map(current.map((c) => [c.detailType, c]));
  const before = new Map(committed.map((c) => [c.detailType, c]));
  for (const old of committed) {
    const next = now.get(old.detailType);
    const name = `"${old.detailType}"`;
    if (!next) {
      findings.push({
        detailType: old.detailType,
        kind: "removed",
        message: `${name} (version ${old.version}) was removed: consumers and producers of it break`,
        changes: [],
      });
      continue;
    }
    const changes = compareSchemas(old.schema, next.schema);
    const breaking = changes.filter((c) => c.breaking);
    if (next.version < old.version) {
      findings.push({
        detailType: old.detailType,
        kind: "version-lowered",
        message: `${name} is version ${next.version} but the catalog already published version ${old.version}`,
        changes,
      });
    } else if (next.version > old.version) {
      findings.push({
        detailType: old.detailType,
        kind: "version-bumped",
        message:
          `${name} is version ${next.version}, the catalog has ${old.version}` +
          `${breaking.length > 0 ? ` (${breaking.length} breaking change${breaking.length > 1 ? "s" : ""})` : ""}: ` +
          "run `npm run catalog` to publish it",
        changes,
      });
    } else if (breaking.length > 0) {
      findings.push({
        detailType: old.detailType,
        kind: "breaking",
        message:
          `${name} version ${old.version} has breaking changes:\n` +
          breaking.map((c) => `    - ${c.message}`).join("\n") +
          `\n  Make it compatible, or bump the schema's version (${old.version + 1}) and run \`npm run catalog\``,
        changes,
      });
    } else if (changes.length > 0) {
      findings.push({
        detailType: old.detailType,
        kind: "compatible",
        message:
          `${name} has compatible changes (${changes.map((c) => c.message).join("; ")}): ` +
          "run `npm run catalog` to publish them",
        changes,
      });
    }
  }
  for (const next of current) {
    if (!before.has(next.detailType)) {
      findings.push({
        detailType: next.detailType,
        kind: "added",
        message: `"${next.detailType}" is new: run \`npm run catalog\` to publish it`,
        changes: [],
      });
    }
  }
  return findings.sort((a, b) => a.detailType.localeCompare(b.detailType));
}

/** Which findings fail `contract:check`. */
export function checkFailures(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) =>
    ["removed", "breaking", "version-lowered", "version-bumped"].includes(f.kind),
  );
}

/** Which findings stop `npm run catalog` from writing (a removal only when not explicitly allowed). */
export function writeFailures(
  findings: readonly Finding[],
  options: { allowRemoval?: boolean } = {},
): Finding[] {
  return findings.filter(
    (f) =>
      f.kind === "breaking" ||
      f.kind === "version-lowered" ||
      (f.kind === "removed" && !options.allowRemoval),
  );
}
