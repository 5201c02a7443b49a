/**
 * The indexed matcher. Every `$or`-free branch of every pattern becomes a candidate rule, filed in hash maps
 * under the keys of one of its fields (its "anchor"): exact values, or prefixes, suffixes and lower-cased
 * texts. An event looks up its values at the anchor paths and reaches only the branches filed under them;
 * only those branches' other fields are checked. So the work per event follows the number of candidates, not
 * the number of rules. Branches without an indexable field (e.g. only numeric ranges) are checked per event.
 */
import type { Branch, Cond, Scalar } from "./ast";
import { branchMatches, type SlotField } from "./branch";
import { type Chain, EventView, InvalidEventError, toEventObject } from "./event";
import { EventScanner } from "./scan";

interface CandidateBranch {
  row: number;
  /** Fields still to check once the anchor matched (all fields for an unanchored branch). */
  rest: SlotField[];
}

/** One way to derive a lookup key from a string value: a prefix or suffix of some length, maybe lower-cased. */
interface Probe {
  kind: "prefix" | "suffix" | "lower";
  length: number;
  /** Compare lower-cased (equals-ignore-case). */
  lower: boolean;
  byKey: Map<string, CandidateBranch[]>;
}

interface Anchor {
  slot: number;
  /** Event value → branches. Map keys compare by type: "300" and 300 are different keys. */
  exact: Map<Scalar, CandidateBranch[]>;
  probes: Probe[];
}

/** A compiled set of routes. */
export interface Matcher {
  /** Keys of every row whose pattern matches `event` (a JSON object or its text), in table order. */
  match(event: unknown): string[];
  /**
   * `match(json)` for event TEXT, without building the parts of the event no pattern looks at. Same answers
   * and same errors (`InvalidEventError` for invalid JSON or a non-object); see `scan.ts`.
   */
  matchText(json: string): string[];
}

/** The index keys a condition can be filed under, or undefined when it cannot be indexed. */
function indexKey(c: Cond): { probe?: Omit<Probe, "byKey">; key: Scalar } | undefined {
  switch (c.kind) {
    case "exact":
      return { key: c.value };
    case "prefix":
    case "suffix":
      return { probe: { kind: c.kind, length: c.text.length, lower: c.ignoreCase }, key: c.text };
    case "equalsIgnoreCase":
      return { probe: { kind: "lower", length: 0, lower: true }, key: c.text };
    default:
      return undefined;
  }
}

const indexable = (conds: readonly Cond[]): boolean => conds.every((c) => indexKey(c) !== undefined);
const exactOnly = (conds: readonly Cond[]): boolean => conds.every((c) => c.kind === "exact");

function push<K>(map: Map<K, CandidateBranch[]>, key: K, candidate: CandidateBranch): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [candidate]);
  else if (list[list.length - 1] !== candidate) list.push(candidate);
}

/** Builds the index for rows whose patterns are already normalized to branches. */
export function compileBranches(rows: readonly { key: string; branches: Branch[] }[]): Matcher {
  const slotOf = new Map<string, number>();
  const slot = (path: string): number => {
    let s = slotOf.get(path);
    if (s === undefined) slotOf.set(path, (s = slotOf.size));
    return s;
  };
  // Distinct index keys per path over all rules: the more, the more selective the path as an anchor.
  const spread = new Map<string, Set<string>>();
  for (const row of rows)
    for (const branch of row.branches)
      for (const f of branch) {
        slot(f.path);
        if (!indexable(f.conds)) continue;
        const set = spread.get(f.path) ?? new Set<string>();
        for (const c of f.conds) set.add(JSON.stringify(indexKey(c)));
        spread.set(f.path, set);
      }
  // Exact-only fields first (one hash lookup per value), then the most selective.
  const score = (conds: readonly Cond[], path: string): number =>
    (exactOnly(conds) ? 1e9 : 0) + (spread.get(path)?.size ?? 0);

  const anchors = new Map<number, Anchor>();
  const unanchored: CandidateBranch[] = [];
  rows.forEach((row, rowIndex) => {
    for (const branch of row.branches) {
      let best = -1;
      branch.forEach((f, i) => {
        if (
          indexable(f.conds) &&
          (best < 0 || score(f.conds, f.path) > score(branch[best].conds, branch[best].path))
        )
          best = i;
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
      if (!anchor) anchors.set(anchorSlot, (anchor = { slot: anchorSlot, exact: new Map(), probes: [] }));
      for (const c of branch[best].conds) {
        const { probe, key } = indexKey(c)!;
        if (probe === undefined) {
          push(anchor.exact, key, candidate);
          continue;
        }
        let p = anchor.probes.find(
          (x) => x.kind === probe.kind && x.length === probe.length && x.lower === probe.lower,
        );
        if (!p) anchor.probes.push((p = { ...probe, byKey: new Map() }));
        push(p.byKey, key as string, candidate);
      }
    }
  });
  return new IndexedMatcher(
    rows.map((r) => r.key),
    [...slotOf.keys()],
    [...anchors.values()],
    unanchored,
  );
}

class IndexedMatcher implements Matcher {
  private readonly view: EventView;
  /** Made on the first `matchText`: its regexes are not needed by `match`. */
  private scanner: EventScanner | undefined;
  /** Per-row marker: equal to `generation` once the row matched the current event. */
  private readonly seen: Uint32Array;
  private generation = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly paths: readonly string[],
    private readonly anchors: readonly Anchor[],
    private readonly unanchored: readonly CandidateBranch[],
  ) {
    this.view = new EventView(paths);
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
        const v = found[i];
        const chain = chains === undefined ? null : chains[i];
        const candidates = anchor.exact.get(v);
        if (candidates !== undefined) this.tryAll(candidates, got, chain, hits);
        if (anchor.probes.length > 0 && typeof v === "string") this.probe(anchor.probes, v, got, chain, hits);
      }
    }
    if (this.unanchored.length > 0) this.tryAll(this.unanchored, got, null, hits);
    if (hits.length > 1) hits.sort((a, b) => a - b);
    const out = new Array<string>(hits.length);
    for (let i = 0; i < hits.length; i++) out[i] = this.keys[hits[i]];
    return out;
  }

  matchText(json: string): string[] {
    if (typeof json !== "string")
      throw new InvalidEventError(`matchText expects JSON text, got ${typeof json}`);
    // Text the scanner does not take (invalid, not an object, very deep) gets the full parse and its error.
    this.scanner ??= new EventScanner(this.paths);
    return this.match(this.scanner.scan(json) ?? json);
  }

  private probe(
    probes: readonly Probe[],
    v: string,
    got: EventView,
    chain: Chain | null,
    hits: number[],
  ): void {
    let lower: string | undefined;
    for (const p of probes) {
      const text = p.lower ? (lower ??= v.toLowerCase()) : v;
      let key: string;
      if (p.kind === "lower") key = text;
      else if (text.length < p.length) continue;
      else key = p.kind === "prefix" ? text.slice(0, p.length) : text.slice(text.length - p.length);
      const candidates = p.byKey.get(key);
      if (candidates !== undefined) this.tryAll(candidates, got, chain, hits);
    }
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
