/**
 * Whether one `$or`-free branch matches the collected event values, with event-ruler's array consistency:
 * the values that satisfy the fields must come from the same element of every array they share, and an
 * `exists: false` field is satisfied when no value at its path sits in the chosen elements.
 */
import type { Cond, Scalar } from "./ast";
import { condMatches, fieldMatches } from "./conditions";
import { type Chain, consistent, type EventView } from "./event";

/** A field compiled against the slot table. */
export interface SlotField {
  slot: number;
  conds: Cond[];
  /** The field also accepts an absent path (it lists `exists: false`). */
  absenceOk: boolean;
}

/** Past this many search steps a branch is decided without array consistency (never hang on odd events). */
const STEP_BUDGET = 20_000;

function positive(field: SlotField, v: Scalar): boolean {
  for (const c of field.conds) {
    if (c.kind === "exists") {
      if (c.exists) return true;
    } else if (condMatches(c, v)) return true;
  }
  return false;
}

/**
 * Does the branch match? `fields` excludes an anchor already matched by a value with chain `anchorChain`
 * (pass null when there is no anchor or the anchor value is outside arrays).
 */
export function branchMatches(
  fields: readonly SlotField[],
  got: EventView,
  anchorChain: Chain | null,
): boolean {
  let chained = anchorChain !== null;
  for (const f of fields) if (got.chains(f.slot) !== undefined) chained = true;
  if (!chained) {
    // No value involved sits in an array: plain per-field semantics.
    for (const f of fields) if (!fieldMatches(f.conds, got.values(f.slot))) return false;
    return true;
  }
  return searchConsistent(fields, got, anchorChain);
}

function searchConsistent(fields: readonly SlotField[], got: EventView, anchorChain: Chain | null): boolean {
  const n = fields.length;
  const chainLists = fields.map((f) => got.chains(f.slot));
  const chainAt = (k: number, i: number): Chain | null => chainLists[k]?.[i] ?? null;
  // Candidates per field: indexes of values satisfying a positive condition.
  const candidates = fields.map((f) => {
    const values = got.values(f.slot) ?? [];
    const list: number[] = [];
    for (let i = 0; i < values.length; i++) if (positive(f, values[i])) list.push(i);
    return list;
  });
  // For an absence-allowing field k: free[k][m][i] says value i of k is consistent with every candidate of
  // every field from m on. Such a value, if also consistent with what is chosen before m, can never be
  // ruled out, so choosing "absent" for k is already doomed at level m.
  const free: (boolean[][] | undefined)[] = fields.map((f, k) => {
    if (!f.absenceOk) return undefined;
    const count = got.values(f.slot)?.length ?? 0;
    const table: boolean[][] = new Array<boolean[]>(n + 1);
    table[n] = new Array<boolean>(count).fill(true);
    for (let m = n - 1; m >= 0; m--)
      table[m] = table[m + 1].map(
        (ok, i) => ok && (m === k || candidates[m].every((v) => consistent(chainAt(m, v), chainAt(k, i)))),
      );
    return table;
  });
  const chosen: (Chain | null)[] = anchorChain === null ? [] : [anchorChain];
  const doomed = (k: number, m: number): boolean =>
    free[k]![m].some((ok, i) => ok && chosen.every((x) => consistent(x, chainAt(k, i))));
  const absent: number[] = [];
  let steps = 0;
  let overBudget = false;

  const search = (m: number): boolean => {
    steps += 1 + absent.length;
    if (steps > STEP_BUDGET) {
      overBudget = true;
      return false;
    }
    for (const k of absent) if (doomed(k, m)) return false;
    if (m === n) return true;
    for (const i of candidates[m]) {
      const c = chainAt(m, i);
      if (!chosen.every((x) => consistent(x, c))) continue;
      chosen.push(c);
      if (search(m + 1)) return true;
      chosen.pop();
      if (overBudget) return false;
    }
    if (fields[m].absenceOk && !doomed(m, m + 1)) {
      absent.push(m);
      if (search(m + 1)) return true;
      absent.pop();
    }
    return false;
  };

  const found = search(0);
  if (overBudget) {
    // Decided without array consistency: exact for events whose arrays do not interleave the fields.
    for (const f of fields) if (!fieldMatches(f.conds, got.values(f.slot))) return false;
    return true;
  }
  return found;
}
