/**
 * The indexed matcher. Every `$or`-free branch of every pattern becomes a candidate rule. A branch that has a
 * field made only of exact values is filed in a hash map under each of those values (its "anchor"); an event
 * then reaches only the branches whose anchor value it carries, and only their other fields are checked. So
 * the work per event follows the number of candidates, not the number of rules. Branches without such a
 * field (rare: e.g. only a prefix) are checked for every event.
 */
import type { Branch, Cond, Scalar } from "./ast";
import { branchMatches, type SlotField } from "./branch";
import { type Chain, EventView, toEventObject } from "./event";

interface CandidateBranch {
  row: number;
  /** Fields still to check once the anchor matched (all fields for an unanchored branch). */
  rest: SlotField[];
}

interface Anchor {
  slot: number;
  /** Event value → branches anchored on it. Map keys compare by type: "300" and 300 are different keys. */
  byValue: Map<Scalar, CandidateBranch[]>;
}

/** A compiled set of routes. */
export interface Matcher {
  /** Keys of every row whose pattern matches `event` (a JSON object or its text), in table order. */
  match(event: unknown): string[];
}

/** Builds the index for rows whose patterns are already normalized to branches. */
export function compileBranches(rows: readonly { key: string; branches: Branch[] }[]): Matcher {
  const slotOf = new Map<string, number>();
  const slot = (path: string): number => {
    let s = slotOf.get(path);
    if (s === undefined) slotOf.set(path, (s = slotOf.size));
    return s;
  };
  // Distinct exact values seen per path: the path with the most is likely the most selective anchor.
  const spread = new Map<string, Set<Scalar>>();
  for (const row of rows)
    for (const branch of row.branches)
      for (const f of branch) {
        slot(f.path);
        if (!isExactOnly(f.conds)) continue;
        const set = spread.get(f.path) ?? new Set<Scalar>();
        for (const c of f.conds) if (c.kind === "exact") set.add(c.value);
        spread.set(f.path, set);
      }

  const anchors = new Map<number, Anchor>();
  const unanchored: CandidateBranch[] = [];
  rows.forEach((row, rowIndex) => {
    for (const branch of row.branches) {
      let best = -1;
      branch.forEach((f, i) => {
        if (!isExactOnly(f.conds)) return;
        if (best < 0 || spread.get(f.path)!.size > spread.get(branch[best].path)!.size) best = i;
      });
      const rest = branch
        .filter((_, i) => i !== best)
        .map((f) => ({
          slot: slot(f.path),
          conds: f.conds,
          absenceOk: f.conds.some((c) => c.kind === "exists" && !c.exists),
        }));
      const candidate: CandidateBranch = { row: rowIndex, rest };
      if (best < 0) {
        unanchored.push(candidate);
        continue;
      }
      const anchorSlot = slot(branch[best].path);
      let anchor = anchors.get(anchorSlot);
      if (!anchor) anchors.set(anchorSlot, (anchor = { slot: anchorSlot, byValue: new Map() }));
      const values = new Set(branch[best].conds.map((c) => (c as { value: Scalar }).value));
      for (const v of values) {
        const list = anchor.byValue.get(v);
        if (list) list.push(candidate);
        else anchor.byValue.set(v, [candidate]);
      }
    }
  });
  return new IndexedMatcher(
    rows.map((r) => r.key),
    new EventView([...slotOf.keys()]),
    [...anchors.values()],
    unanchored,
  );
}

function isExactOnly(conds: readonly Cond[]): boolean {
  return conds.every((c) => c.kind === "exact");
}

class IndexedMatcher implements Matcher {
  /** Per-row marker: equal to `generation` once the row matched the current event. */
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly view: EventView,
    private readonly anchors: readonly Anchor[],
    private readonly unanchored: readonly CandidateBranch[],
  ) {
    this.seen = new Uint32Array(keys.length);
  }

  match(event: unknown): string[] {
    const got = this.view;
    got.reset(toEventObject(event));
    if (++this.generation === 0xffffffff) {
      this.seen.fill(0);
      this.generation = 1;
    }
    const hits: number[] = [];
    for (const anchor of this.anchors) {
      const found = got.values(anchor.slot);
      if (found === undefined) continue;
      const chains = got.chains(anchor.slot);
      for (let i = 0; i < found.length; i++) {
        const candidates = anchor.byValue.get(found[i]);
        if (candidates !== undefined)
          this.tryAll(candidates, got, chains === undefined ? null : chains[i], hits);
      }
    }
    if (this.unanchored.length > 0) this.tryAll(this.unanchored, got, null, hits);
    if (hits.length > 1) hits.sort((a, b) => a - b);
    const out = new Array<string>(hits.length);
    for (let i = 0; i < hits.length; i++) out[i] = this.keys[hits[i]];
    return out;
  }

  private tryAll(
    candidates: readonly CandidateBranch[],
    got: EventView,
    anchorChain: Chain | null,
    hits: number[],
  ): void {
    const gen = this.generation;
    for (const c of candidates) {
      if (this.seen[c.row] === gen) continue;
      if (branchMatches(c.rest, got, anchorChain)) {
        this.seen[c.row] = gen;
        hits.push(c.row);
      }
    }
  }
}
