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
  const chainOf = (slot: number, i: number): Chain | null => got.chains(slot)?.[i] ?? null;
  /** Some value at field k is consistent with the anchor and with every candidate of every other field. */
  const alwaysPresent = (k: number, options: readonly number[][]): boolean => {
    const count = got.values(fields[k].slot)?.length ?? 0;
    for (let i = 0; i < count; i++) {
      const c = chainOf(fields[k].slot, i);
      if (!consistent(anchorChain, c)) continue;
      let withAll = true;
      for (let j = 0; j < fields.length && withAll; j++)
        if (j !== k)
          for (const v of options[j])
            if (v >= 0 && !consistent(chainOf(fields[j].slot, v), c)) withAll = false;
      if (withAll) return true;
    }
    return false;
  };
  // Candidates per field: indexes of values satisfying a positive condition; -1 stands for "absent".
  const options: number[][] = [];
  for (const f of fields) {
    const values = got.values(f.slot) ?? [];
    const list: number[] = [];
    for (let i = 0; i < values.length; i++) if (positive(f, values[i])) list.push(i);
    options.push(list);
  }
  // "Absent" is impossible for a field with a value consistent with every candidate of every other field (and
  // the anchor): that value stays consistent whatever is chosen. Ruling it out here keeps the search small.
  fields.forEach((f, k) => {
    if (f.absenceOk && !alwaysPresent(k, options)) options[k].push(-1);
  });
  if (options.some((list) => list.length === 0)) return false;
  const chosen: (Chain | null)[] = anchorChain === null ? [] : [anchorChain];
  const absent: SlotField[] = [];
  let steps = 0;
  let overBudget = false;

  const absenceHolds = (): boolean => {
    for (const f of absent) {
      const chains = got.chains(f.slot);
      const count = got.values(f.slot)?.length ?? 0;
      steps += count;
      for (let i = 0; i < count; i++) {
        const c = chains === undefined ? null : chains[i];
        if (chosen.every((x) => consistent(x, c))) return false;
      }
    }
    return true;
  };

  const search = (k: number): boolean => {
    if (++steps > STEP_BUDGET) {
      overBudget = true;
      return false;
    }
    if (k === fields.length) return absenceHolds();
    const f = fields[k];
    const chains = got.chains(f.slot);
    for (const i of options[k]) {
      if (i < 0) {
        absent.push(f);
        if (search(k + 1)) return true;
        absent.pop();
        continue;
      }
      const c = chains === undefined ? null : chains[i];
      if (!chosen.every((x) => consistent(x, c))) continue;
      chosen.push(c);
      if (search(k + 1)) return true;
      chosen.pop();
      if (overBudget) return false;
    }
    return false;
  };

  const found = search(0);
  if (overBudget) {
    for (const f of fields) if (!fieldMatches(f.conds, got.values(f.slot))) return false;
    return true;
  }
  return found;
}
