/**
 * Event input: checking that an event is a JSON object, and collecting the leaf values at the paths the
 * compiled patterns use. Keys are joined with "." (so a dotted event key equals nesting, as in AWS) and array
 * elements share their parent's path.
 */
import type { Scalar } from "./ast";

/** Raised by `match` for input that is not a JSON object event. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
}

/** Arrays nested deeper than this inside one path are refused (no stack overflow on hostile input). */
export const MAX_EVENT_DEPTH = 1000;

/** Accepts a parsed event object or its JSON text. */
export function toEventObject(event: unknown): Record<string, unknown> {
  let value = event;
  if (typeof event === "string") {
    try {
      value = JSON.parse(event);
    } catch (e) {
      throw new InvalidEventError(`Event is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidEventError(
      `Event must be a JSON object, got ${Array.isArray(value) ? "array" : typeof value}`,
    );
  return value as Record<string, unknown>;
}

/** A node of the trie of pattern paths. `lookup` maps a (possibly dotted) event key to the node it reaches. */
export interface PathNode {
  /** Index into the per-event value table, or -1 when no pattern uses this exact path. */
  slot: number;
  children: Map<string, PathNode>;
  /** Every descendant by its dotted relative path ("a", "a.b", ...), so dotted event keys resolve in one lookup. */
  lookup: Map<string, PathNode>;
}

/** Builds the trie for the given paths; slot i belongs to paths[i]. */
export function buildPathTrie(paths: readonly string[]): PathNode {
  const root: PathNode = { slot: -1, children: new Map(), lookup: new Map() };
  paths.forEach((path, slot) => {
    let node = root;
    for (const seg of path.split(".")) {
      let next = node.children.get(seg);
      if (!next) {
        next = { slot: -1, children: new Map(), lookup: new Map() };
        node.children.set(seg, next);
      }
      node = next;
    }
    node.slot = slot;
  });
  const index = (node: PathNode): void => {
    for (const [seg, child] of node.children) {
      index(child);
      node.lookup.set(seg, child);
      for (const [rest, grandchild] of child.lookup) node.lookup.set(`${seg}.${rest}`, grandchild);
    }
  };
  index(root);
  return root;
}

/**
 * Where a value sits among the event's arrays: pairs (array id, element index), outermost first. Two values
 * are array-consistent when they agree on the element of every array they share (see `consistent`).
 */
export type Chain = readonly number[];

/** The values found at each slot, and for values inside arrays their chains (absent when none is). */
export interface Collected {
  values: (Scalar[] | undefined)[];
  chains: ((Chain | null)[] | undefined)[];
  /** Counter giving each array of the event its own id. */
  arrays: number;
}

export function newCollected(slots: number): Collected {
  return {
    values: new Array<Scalar[] | undefined>(slots),
    chains: new Array<(Chain | null)[] | undefined>(slots),
    arrays: 0,
  };
}

/** Values of two chains conflict when they sit in different elements of the same array. */
export function consistent(a: Chain | null, b: Chain | null): boolean {
  if (a === null || b === null) return true;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2) {
    if (a[i] !== b[i]) return true;
    if (a[i + 1] !== b[i + 1]) return false;
  }
  return true;
}

/** Fills `out` with the leaf values of `value` at every path of the trie, with their array chains. */
export function collectValues(
  node: PathNode,
  value: unknown,
  out: Collected,
  chain: Chain | null,
  depth = 0,
): void {
  if (value === null || typeof value !== "object") {
    const t = typeof value;
    const slot = node.slot;
    if (slot >= 0 && (value === null || t === "string" || t === "number" || t === "boolean")) {
      let list = out.values[slot];
      if (list === undefined) out.values[slot] = list = [];
      let chains = out.chains[slot];
      if (chain !== null && chains === undefined)
        out.chains[slot] = chains = new Array<Chain | null>(list.length).fill(null);
      if (chains !== undefined) chains.push(chain);
      list.push(value as Scalar);
    }
    return;
  }
  if (depth > MAX_EVENT_DEPTH)
    throw new InvalidEventError(`Event is nested deeper than ${MAX_EVENT_DEPTH} levels`);
  if (Array.isArray(value)) {
    const id = out.arrays++;
    const base = chain ?? [];
    for (let i = 0; i < value.length; i++) collectValues(node, value[i], out, [...base, id, i], depth + 1);
    return;
  }
  const lookup = node.lookup;
  if (lookup.size === 0) return;
  for (const key in value) {
    const child = lookup.get(key);
    if (child !== undefined)
      collectValues(child, (value as Record<string, unknown>)[key], out, chain, depth + 1);
  }
}
