/**
 * A strict JSON text parser for event patterns.
 *
 * JSON.parse is almost right, but it silently turns `1E309` into Infinity and `1E-325` into 0, which AWS
 * rejects, and its errors do not say what was expected. Duplicate keys: the last one wins, as in EventBridge.
 */

/** Raised for text that is not valid JSON; `message` says what and where. */
export class JsonTextError extends Error {
  override readonly name = "JsonTextError";
}

/** Nesting deeper than this is refused rather than risking the stack. */
export const MAX_JSON_DEPTH = 256;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail(`Unexpected character after the JSON value`);
    return value;
  }

  private fail(reason: string): never {
    throw new JsonTextError(`${reason} at position ${this.pos}`);
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  private value(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) this.fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.ws();
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    if (c === undefined) this.fail("Unexpected end of input");
    const token = /^[^\s,:{}[\]"]{1,40}/.exec(this.text.slice(this.pos))?.[0] ?? c;
    this.fail(
      `Unrecognized token '${token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
    );
  }

  private object(depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') {
        const ch = this.text[this.pos];
        this.fail(
          ch === undefined
            ? "Unexpected end of input in object"
            : `Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): was expecting double-quote to start field name`,
        );
      }
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ":") this.fail("Expected ':' after a field name");
      this.pos++;
      const v = this.value(depth + 1);
      // defineProperty keeps a "__proto__" key an ordinary key; later duplicates overwrite (last wins).
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const sep = this.text[this.pos++];
      if (sep === "}") return out;
      if (sep !== ",") this.fail("Expected ',' or '}' in object");
    }
  }

  private array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const sep = this.text[this.pos++];
      if (sep === "]") return out;
      if (sep !== ",") this.fail("Expected ',' or ']' in array");
    }
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    let end = start;
    // Fast path: no escapes.
    while (end < t.length) {
      const c = t.charCodeAt(end);
      if (c === 34 || c === 92 || c < 32) break;
      end++;
    }
    if (t.charCodeAt(end) === 34) {
      this.pos = end + 1;
      return t.slice(start, end);
    }
    let out = t.slice(start, end);
    this.pos = end;
    for (;;) {
      if (this.pos >= t.length) this.fail("Unterminated string");
      const c = t[this.pos++];
      if (c === '"') return out;
      if (c.charCodeAt(0) < 32) this.fail("Control character in string");
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = t[this.pos++];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(t.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(parseInt(t.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else this.fail(`Unrecognized character escape '\\${e ?? ""}'`);
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("Invalid number");
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) this.fail(`Number ${m[0]} is out of range`);
    if (n === 0 && /[1-9]/.test(m[0].replace(/[eE].*$/, ""))) this.fail(`Number ${m[0]} is out of range`);
    return n;
  }
}

/** Parses JSON text strictly (see the module comment). */
export function parsePatternJson(text: string): unknown {
  return new Parser(text).parseDocument();
}
