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

/**
 * Where a value sits among the event's arrays: pairs (array, element index), outermost first. Arrays are
 * compared by identity, so chains found by different path walks over the same event agree.
 */
export type Chain = readonly unknown[];

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

const hasOwn = Object.prototype.hasOwnProperty;

/** A pattern path prepared for walking events: `keys[i][j]` is segments i..j joined with ".". */
interface PathWalker {
  keys: string[][];
  length: number;
}

function walker(path: string): PathWalker {
  const segments = path.split(".");
  const keys = segments.map((_, i) =>
    segments.slice(i).map((__, k) => segments.slice(i, i + k + 1).join(".")),
  );
  return { keys, length: segments.length };
}

/**
 * The leaf values of one event at the paths the patterns use, computed on first use per path. A dotted
 * event key counts as nesting (as in AWS), and array elements share their parent's path.
 */
export class EventView {
  private readonly walkers: PathWalker[];
  private readonly stamp: Uint32Array;
  private generation = 0;
  private readonly found: (Scalar[] | undefined)[];
  private readonly chainLists: ((Chain | null)[] | undefined)[];
  private event: Record<string, unknown> = {};

  constructor(paths: readonly string[]) {
    this.walkers = paths.map(walker);
    this.stamp = new Uint32Array(paths.length);
    this.found = new Array<Scalar[] | undefined>(paths.length);
    this.chainLists = new Array<(Chain | null)[] | undefined>(paths.length);
  }

  /** Starts on a new event; values are computed lazily from here on. */
  reset(event: Record<string, unknown>): void {
    this.event = event;
    if (++this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  /** The values at a path slot (undefined when there are none). */
  values(slot: number): Scalar[] | undefined {
    if (this.stamp[slot] !== this.generation) this.compute(slot);
    return this.found[slot];
  }

  /** The chains of those values, parallel to `values`, or undefined when none sits in an array. */
  chains(slot: number): (Chain | null)[] | undefined {
    if (this.stamp[slot] !== this.generation) this.compute(slot);
    return this.chainLists[slot];
  }

  private compute(slot: number): void {
    this.stamp[slot] = this.generation;
    this.found[slot] = undefined;
    this.chainLists[slot] = undefined;
    this.walk(this.event, this.walkers[slot], 0, slot, null, 0);
  }

  private walk(
    value: unknown,
    w: PathWalker,
    i: number,
    slot: number,
    chain: Chain | null,
    depth: number,
  ): void {
    if (value === null || typeof value !== "object") {
      if (i === w.length) this.push(slot, value, chain);
      return;
    }
    if (Array.isArray(value)) {
      if (depth > MAX_EVENT_DEPTH)
        throw new InvalidEventError(`Event is nested deeper than ${MAX_EVENT_DEPTH} levels`);
      for (let k = 0; k < value.length; k++)
        this.walk(value[k], w, i, slot, chain === null ? [value, k] : [...chain, value, k], depth + 1);
      return;
    }
    if (i === w.length) return;
    const keys = w.keys[i];
    const obj = value as Record<string, unknown>;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      const v = obj[key];
      if (
        v !== undefined &&
        (key !== "__proto__" || hasOwn.call(obj, key)) &&
        (j === 0 || hasOwn.call(obj, key))
      )
        this.walk(v, w, i + j + 1, slot, chain, depth + 1);
    }
  }

  private push(slot: number, value: unknown, chain: Chain | null): void {
    const t = typeof value;
    if (!(value === null || t === "string" || t === "number" || t === "boolean")) return;
    let list = this.found[slot];
    if (list === undefined) this.found[slot] = list = [];
    let chains = this.chainLists[slot];
    if (chain !== null && chains === undefined)
      this.chainLists[slot] = chains = new Array<Chain | null>(list.length).fill(null);
    if (chains !== undefined) chains.push(chain);
    list.push(value as Scalar);
  }
}
