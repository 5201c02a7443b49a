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
 * object, nesting deeper than `MAX_SCAN_DEPTH`) returns undefined, and the caller falls back to the full parse,
 * which also produces the error.
 */

/** Deeper nesting is left to the full parse rather than risking the stack or growing the skip stack. */
export const MAX_SCAN_DEPTH = 512;

/** What to keep of a value reached by some sequence of event keys. */
interface PathNode {
  /** A pattern path ends here: scalar values here, also inside arrays, are kept. */
  leaf: boolean;
  /** Event keys, dotted ones included (`"a.b"` is nesting, as in AWS), leading on toward longer paths. */
  next: Map<string, PathNode> | null;
  /** `lengths[n]` is 1 when some key of `next` has n characters (256: longer): rejects most keys unsliced. */
  lengths: Uint8Array;
}

/** Thrown inside the scanner only; `scan` turns it into undefined. */
const GIVE_UP = new Error("not scanned");

const CONTROL = /[\x00-\x1f]/;
/** Bit per kind of container on the skip stack. */
const IN_OBJECT = 1;
const IN_ARRAY = 2;

function trie(paths: readonly string[]): PathNode {
  const ends = new Set(paths);
  const nodes = new Map<string, PathNode>();
  /** The node reached by event keys that join to `joined` (null: the top level). */
  const nodeAt = (joined: string | null): PathNode => {
    let node = joined === null ? undefined : nodes.get(joined);
    if (node !== undefined) return node;
    node = { leaf: joined !== null && ends.has(joined), next: null, lengths: new Uint8Array(257) };
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
          node.next.set(key, nodeAt(prefix + key));
          node.lengths[Math.min(key.length, 256)] = 1;
        }
        if (end < 0) break;
      }
    }
    return node;
  };
  const root = nodeAt(null);
  root.next ??= new Map();
  return root;
}

/** Scans event texts for one set of pattern paths. Not re-entrant: one scan at a time. */
export class EventScanner {
  private readonly root: PathNode;
  private text = "";
  private pos = 0;
  /** Index of the next backslash at or after the last string start (text length when none). */
  private backslash = -1;
  /** The text holds no raw character below U+0020, so a string ends at its next unescaped quote. */
  private plain = true;
  /** Set by `stringEnd`: the string just scanned holds an escape. */
  private escaped = false;
  private readonly stack = new Uint8Array(MAX_SCAN_DEPTH + 1);

  /** `paths`: the field paths of the compiled patterns (keys joined with "."). */
  constructor(paths: readonly string[]) {
    this.root = trie(paths);
  }

  /** The partial event of a JSON object text, or undefined when the full parse must decide. */
  scan(text: string): Record<string, unknown> | undefined {
    this.text = text;
    this.backslash = -1;
    this.plain = !CONTROL.test(text);
    try {
      const start = this.ws(0);
      if (text.charCodeAt(start) !== 123) return undefined;
      this.pos = start;
      const event = this.object(this.root, 0);
      return this.ws(this.pos) === text.length ? event : undefined;
    } catch (e) {
      if (e === GIVE_UP) return undefined;
      throw e;
    } finally {
      this.text = "";
    }
  }

  private ws(i: number): number {
    const t = this.text;
    let c = t.charCodeAt(i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++i);
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
    const next = node.next!;
    const lengths = node.lengths;
    const out: Record<string, unknown> = {};
    let i = this.ws(this.pos + 1);
    if (t.charCodeAt(i) === 125) {
      this.pos = i + 1;
      return out;
    }
    for (;;) {
      if (t.charCodeAt(i) !== 34) throw GIVE_UP;
      const close = this.stringEnd(i);
      let key = "";
      let child: PathNode | undefined;
      if (this.escaped) child = next.get((key = JSON.parse(t.slice(i, close + 1)) as string));
      else if (lengths[Math.min(close - i - 1, 256)] === 1) child = next.get((key = t.slice(i + 1, close)));
      i = this.ws(close + 1);
      if (t.charCodeAt(i) !== 58) throw GIVE_UP;
      this.pos = this.ws(i + 1);
      if (child === undefined) this.skip();
      else {
        // Assigned even when skipped (undefined): a later duplicate key must hide an earlier kept value.
        const v = this.value(child, depth);
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

  /** Skips the value at `this.pos`, validating it; iterative, with an explicit stack of open containers. */
  private skip(): void {
    const t = this.text;
    const stack = this.stack;
    let depth = 0;
    let i = this.pos;
    for (;;) {
      // A value starts at i.
      const c = t.charCodeAt(i);
      if (c === 34) i = this.stringEnd(i) + 1;
      else if (c === 123 || c === 91) {
        i = this.ws(i + 1);
        const empty = t.charCodeAt(i) === (c === 123 ? 125 : 93);
        if (empty) i++;
        else {
          if (depth === MAX_SCAN_DEPTH) throw GIVE_UP;
          stack[depth++] = c === 123 ? IN_OBJECT : IN_ARRAY;
          i = c === 123 ? this.keyEnd(i) : i;
          continue;
        }
      } else if (c === 45 || (c >= 48 && c <= 57)) i = this.numberEnd(i);
      else i = this.literalEnd(i);
      // A value ended before i: close containers until one takes another value.
      for (;;) {
        if (depth === 0) {
          this.pos = i;
          return;
        }
        i = this.ws(i);
        const d = t.charCodeAt(i);
        if (d === 44) {
          i = this.ws(i + 1);
          if (stack[depth - 1] === IN_OBJECT) i = this.keyEnd(i);
          break;
        }
        if (d !== (stack[depth - 1] === IN_OBJECT ? 125 : 93)) throw GIVE_UP;
        i++;
        depth--;
      }
    }
  }

  /** Past `"key" :` and whitespace, from the key's opening quote. */
  private keyEnd(i: number): number {
    if (this.text.charCodeAt(i) !== 34) throw GIVE_UP;
    i = this.ws(this.stringEnd(i) + 1);
    if (this.text.charCodeAt(i) !== 58) throw GIVE_UP;
    return this.ws(i + 1);
  }

  /** Index of the closing quote of the string opening at `open`; sets `escaped`. */
  private stringEnd(open: number): number {
    const t = this.text;
    const close = t.indexOf('"', open + 1);
    if (close < 0) throw GIVE_UP;
    if (this.backslash <= open) {
      const b = t.indexOf("\\", open + 1);
      this.backslash = b < 0 ? t.length : b;
    }
    this.escaped = this.backslash < close;
    if (!this.escaped && this.plain) return close;
    return this.slowStringEnd(open);
  }

  /** Character by character: escapes checked, raw control characters refused. */
  private slowStringEnd(open: number): number {
    const t = this.text;
    let i = open + 1;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) return i;
      if (c === 92) {
        const e = t.charCodeAt(i + 1);
        if (e === 117) {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) throw GIVE_UP;
          i += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)
          i += 2;
        else throw GIVE_UP;
      } else if (c < 32 || c !== c) throw GIVE_UP;
      else i++;
    }
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
