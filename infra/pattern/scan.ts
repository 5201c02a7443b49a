/**
 * Selective parsing of event text for `Matcher.matchText`. `JSON.parse` builds every object, string and number
 * of a 1–2 KB event, yet the patterns read only a few paths. The scanner walks the text once, builds a partial
 * event holding only the values at those paths, and skips every other subtree.
 *
 * Equivalence with `JSON.parse`: the WHOLE text is validated against the JSON grammar, skipped parts included
 * (structure, string escapes, raw control characters, number syntax, literals, trailing text), so the scanner
 * accepts exactly what `JSON.parse` accepts. Kept values are made as `JSON.parse` makes them: numbers with
 * `Number()` on the token, strings sliced or, when they hold an escape, `JSON.parse` of the string token;
 * duplicate keys overwrite (the last wins); a `"__proto__"` key is an own property. Arrays on a kept path keep
 * every element at its index (skipped ones become `undefined`, which the matcher never reads as a value), so
 * array-consistent matching sees the same elements. Anything else (invalid text, a top level that is not an
 * object, a skipped value nested more than 5 deep, a kept path nested deeper than `MAX_SCAN_DEPTH`) returns
 * undefined, and the caller falls back to the full parse, which also produces the error.
 */

import { memberSkipper, NESTED_VALUE, STRING_TOKEN } from "./scan-grammar";

/** Kept paths nested deeper (arrays in arrays) are left to the full parse rather than risking the stack. */
export const MAX_SCAN_DEPTH = 512;

/** What to keep of a value reached by some sequence of event keys. */
interface PathNode {
  /** A pattern path ends here: scalar values here, also inside arrays, are kept. */
  leaf: boolean;
  /** Event keys, dotted ones included (`"a.b"` is nesting, as in AWS), leading on toward longer paths. */
  next: Map<string, Edge> | null;
  /**
   * The same keys by first character code (128: any from U+0080; an empty key under 34, its closing quote),
   * compared in place in the text, without slicing and hashing every key. Only keys that JSON may write
   * without escapes (no quote, backslash or control character); others are only found through `next`.
   */
  byFirst: (Edge[] | undefined)[];
}

interface Edge {
  /** The key itself: stored as the property name, it is internalized once rather than per event. */
  key: string;
  node: PathNode;
}

/** Thrown inside the scanner when the full parse must decide; `scan` turns it into undefined. */
const GIVE_UP = new Error("not scanned");

/** The kept paths as a tree of nodes, and every key that leads on from any of them. */
function trie(paths: readonly string[]): { root: PathNode; keys: string[] } {
  const ends = new Set(paths);
  const keys = new Set<string>();
  const nodes = new Map<string, PathNode>();
  /** The node reached by event keys that join to `joined` (null: the top level). */
  const nodeAt = (joined: string | null): PathNode => {
    let node = joined === null ? undefined : nodes.get(joined);
    if (node !== undefined) return node;
    node = { leaf: joined !== null && ends.has(joined), next: null, byFirst: [] };
    if (joined !== null) nodes.set(joined, node);
    // Every way the rest of a longer path can be split off as one event key leads on from here.
    const prefix = joined === null ? "" : `${joined}.`;
    for (const path of ends) {
      if (!path.startsWith(prefix) || path === joined) continue;
      const rest = path.slice(prefix.length);
      for (let end = rest.indexOf("."); ; end = rest.indexOf(".", end + 1)) {
        const key = end < 0 ? rest : rest.slice(0, end);
        node.next ??= new Map();
        if (!node.next.has(key)) {
          const edge = { key, node: nodeAt(prefix + key) };
          node.next.set(key, edge);
          keys.add(key);
          if (/^[^"\\\u0000-\u001f]*$/.test(key))
            (node.byFirst[Math.min(key === "" ? 34 : key.charCodeAt(0), 128)] ??= []).push(edge);
        }
        if (end < 0) break;
      }
    }
    return node;
  };
  const root = nodeAt(null);
  root.next ??= new Map();
  return { root, keys: [...keys] };
}

/** Scans event texts for one set of pattern paths. Not re-entrant: one scan at a time. */
export class EventScanner {
  private readonly root: PathNode;
  private text = "";
  private pos = 0;
  /** Index of the next backslash at or after the last string start (text length when none). */
  private backslash = -1;
  /** Set by `stringEnd`: the string just scanned holds an escape. */
  private escaped = false;

  /**
   * Sticky: a run of members no kept path goes through (their keys lead on from no object on a kept path),
   * skipped in one regex run; see `memberSkipper`.
   */
  private readonly skipMembers: RegExp;

  /** `paths`: the field paths of the compiled patterns (keys joined with "."). */
  constructor(paths: readonly string[]) {
    const { root, keys } = trie(paths);
    this.root = root;
    this.skipMembers = memberSkipper(keys);
  }

  /** The partial event of a JSON object text, or undefined when the full parse must decide. */
  scan(text: string): Record<string, unknown> | undefined {
    this.text = text;
    this.backslash = -1;
    try {
      const start = this.ws(0);
      if (text.charCodeAt(start) !== 123) return undefined;
      this.pos = start;
      const event = this.object(this.root, 0);
      return this.ws(this.pos) === text.length ? event : undefined;
    } catch {
      // GIVE_UP, or a regex out of backtracking stack on a huge value: the full parse decides either way.
      return undefined;
    } finally {
      this.text = "";
    }
  }

  private ws(i: number): number {
    const t = this.text;
    let c = t.charCodeAt(i);
    while (c <= 32 && (c === 32 || c === 10 || c === 13 || c === 9)) c = t.charCodeAt(++i);
    return i;
  }

  /** A value at `this.pos` on a kept path: kept as JSON.parse makes it, or skipped (undefined). */
  private value(node: PathNode, depth: number): unknown {
    const t = this.text;
    const i = this.pos;
    const c = t.charCodeAt(i);
    if (c === 123 && node.next !== null) return this.object(node, depth + 1);
    if (c === 91) return this.array(node, depth + 1);
    if (!node.leaf || c === 123) {
      this.skip();
      return undefined;
    }
    if (c === 34) {
      const close = this.stringEnd(i);
      this.pos = close + 1;
      return this.escaped ? (JSON.parse(t.slice(i, close + 1)) as string) : t.slice(i + 1, close);
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      this.pos = this.numberEnd(i);
      return Number(t.slice(i, this.pos));
    }
    this.pos = this.literalEnd(i);
    return c === 110 ? null : c === 116;
  }

  private object(node: PathNode, depth: number): Record<string, unknown> {
    if (depth > MAX_SCAN_DEPTH) throw GIVE_UP;
    const t = this.text;
    const byFirst = node.byFirst;
    const out: Record<string, unknown> = {};
    let i = this.ws(this.pos + 1);
    if (t.charCodeAt(i) === 125) {
      this.pos = i + 1;
      return out;
    }
    const skipMembers = this.skipMembers;
    for (;;) {
      // At a member. Members no pattern reads go by in one regex run; a run ends at `}` or a member for JS.
      skipMembers.lastIndex = i;
      skipMembers.test(t);
      if (skipMembers.lastIndex > i) {
        i = skipMembers.lastIndex;
        if (t.charCodeAt(i) === 125) {
          this.pos = i + 1;
          return out;
        }
      }
      // A kept key is found in place: the text starts with it and a quote follows (it holds no quote itself).
      let edge: Edge | undefined;
      const bucket = byFirst[Math.min(t.charCodeAt(i + 1), 128)];
      if (bucket !== undefined && t.charCodeAt(i) === 34)
        for (const e of bucket)
          if (t.charCodeAt(i + 1 + e.key.length) === 34 && t.startsWith(e.key, i + 1)) {
            edge = e;
            break;
          }
      if (edge !== undefined) i = this.ws(i + 2 + edge.key.length);
      else {
        // Another key: escaped, or its value too deep or invalid for the regex run.
        if (t.charCodeAt(i) !== 34) throw GIVE_UP;
        const close = this.stringEnd(i);
        if (this.escaped) edge = node.next!.get(JSON.parse(t.slice(i, close + 1)) as string);
        i = this.ws(close + 1);
      }
      if (t.charCodeAt(i) !== 58) throw GIVE_UP;
      this.pos = this.ws(i + 1);
      if (edge === undefined) this.skip();
      else {
        // Assigned even when skipped (undefined): a later duplicate key must hide an earlier kept value.
        const v = this.value(edge.node, depth);
        const key = edge.key;
        if (key === "__proto__")
          Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        else out[key] = v;
      }
      i = this.ws(this.pos);
      const c = t.charCodeAt(i);
      if (c === 44) i = this.ws(i + 1);
      else if (c === 125) {
        this.pos = i + 1;
        return out;
      } else throw GIVE_UP;
    }
  }

  private array(node: PathNode, depth: number): unknown[] {
    if (depth > MAX_SCAN_DEPTH) throw GIVE_UP;
    const t = this.text;
    const out: unknown[] = [];
    this.pos = this.ws(this.pos + 1);
    if (t.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(node, depth));
      const i = this.ws(this.pos);
      const c = t.charCodeAt(i);
      if (c === 44) this.pos = this.ws(i + 1);
      else if (c === 93) {
        this.pos = i + 1;
        return out;
      } else throw GIVE_UP;
    }
  }

  /** Skips the value at `this.pos`, validating it. */
  private skip(): void {
    const t = this.text;
    const i = this.pos;
    const c = t.charCodeAt(i);
    if (c === 34) this.pos = this.stringEnd(i) + 1;
    else if (c === 123 || c === 91) {
      NESTED_VALUE.lastIndex = i;
      if (!NESTED_VALUE.test(t)) throw GIVE_UP;
      this.pos = NESTED_VALUE.lastIndex;
    } else if (c === 45 || (c >= 48 && c <= 57)) this.pos = this.numberEnd(i);
    else this.pos = this.literalEnd(i);
  }

  /** Index of the closing quote of the string opening at `open` (validated); sets `escaped`. */
  private stringEnd(open: number): number {
    const t = this.text;
    STRING_TOKEN.lastIndex = open;
    if (!STRING_TOKEN.test(t)) throw GIVE_UP;
    const close = STRING_TOKEN.lastIndex - 1;
    if (this.backslash <= open) {
      const b = t.indexOf("\\", open + 1);
      this.backslash = b < 0 ? t.length : b;
    }
    this.escaped = this.backslash < close;
    return close;
  }

  /** End of the number token at i (JSON grammar: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`). */
  private numberEnd(i: number): number {
    const t = this.text;
    let c = t.charCodeAt(i);
    if (c === 45) c = t.charCodeAt(++i);
    if (c === 48) c = t.charCodeAt(++i);
    else if (c >= 49 && c <= 57) while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    else throw GIVE_UP;
    if (c === 46) {
      c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) throw GIVE_UP;
      while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    }
    if (c === 101 || c === 69) {
      c = t.charCodeAt(++i);
      if (c === 43 || c === 45) c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) throw GIVE_UP;
      while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    }
    return i;
  }

  /** End of `true`, `false` or `null` at i. */
  private literalEnd(i: number): number {
    const t = this.text;
    const word = t.charCodeAt(i) === 116 ? "true" : t.charCodeAt(i) === 102 ? "false" : "null";
    if (!t.startsWith(word, i)) throw GIVE_UP;
    return i + word.length;
  }
}
