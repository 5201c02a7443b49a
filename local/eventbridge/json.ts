/**
 * JSON as the edge reads it: the one reader of `POST /events`, EventBridge's API, its `Detail` strings and
 * TestEventPattern's `Event`; each caller turns `JsonError` into its own protocol's error. Input is never
 * altered: what it cannot keep exactly it refuses, naming where.
 *
 * - Bytes must be UTF-8 (`decodeUtf8`): invalid sequences are refused, not turned into U+FFFD.
 * - Nesting deeper than `MAX_JSON_DEPTH` is refused (AWS: "PutEvents will only process nested JSON up to 1000
 *   levels deep"), before anything recursive (matching, schema checks) sees it.
 * - A number a JavaScript double cannot carry exactly (`1e400`, `-0`, `12345678901234567890`, `0.1000000000000000055`)
 *   is refused: `JSON.parse` would round or null it silently, and the processors are JavaScript, so on AWS their
 *   Lambda would read it rounded too. Numbers are kept by value: `1.0` and `1e2` are read as `1` and `100`.
 * - `__proto__` keys and `constructor.prototype` are refused, as Fastify's secure default
 *   (`onProtoPoisoning`/`onConstructorPoisoning: "error"`, through `secure-json-parse`) refuses them.
 *
 * Why not `secure-json-parse` itself: it covers the last point only, and its error does not say where the key
 * is; the checks here run in one pass over the text, iteratively (a 1 MB body of `[` cannot reach the stack),
 * and name the path of what they refuse.
 */
import { isUtf8 } from "node:buffer";

/** Nesting deeper than this is refused (EventBridge's documented PutEvents limit). */
export const MAX_JSON_DEPTH = 1000;

/** The text is not JSON, or holds something refused. `message` says what and where. */
export class JsonError extends Error {
  override readonly name = "JsonError";
}

/** UTF-8 bytes as text; a byte order mark is dropped (RFC 8259 lets a reader ignore it). */
export function decodeUtf8(bytes: Buffer, what = "body"): string {
  if (!isUtf8(bytes)) throw new JsonError(`${what} is not valid UTF-8`);
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses `text` (named `what` in messages); throws `JsonError`. `maxDepth`: levels of arrays and objects
 * allowed (a wrapper around a detail gets one more).
 */
export function parseJson(text: string, what = "body", maxDepth = MAX_JSON_DEPTH): unknown {
  const problem = scan(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (problem) throw new JsonError(describe(problem, text, what, maxDepth));
  if (typeof value === "object" && value !== null && mayPollute(text)) {
    const bad = findPollution(value, what);
    if (bad) throw new JsonError(`${bad} is not allowed`);
  }
  return value;
}

/** A JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

interface Problem {
  kind: "depth" | "number";
  /** Offset in the text. */
  at: number;
  /** The number's text. */
  token?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One pass over the text, outside strings: the nesting depth and every number token. Lax on purpose (the text
 * is then parsed by `JSON.parse`, which reports syntax errors): it only has to be right for valid JSON.
 */
function scan(text: string, maxDepth: number): Problem | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { kind: "depth", at: i };
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      if (!keepsExactly(token)) return { kind: "number", at: i, token };
      i = j - 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `open` (or the text's end). */
function stringEnd(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return i;
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/**
 * Whether reading `token` as a double and writing it back (what `JSON.parse` then `JSON.stringify` do) gives
 * the same decimal value. Short plain numbers (at most 15 digits, no exponent) always do, except `-0`.
 */
export function keepsExactly(token: string): boolean {
  const signs = (token.charCodeAt(0) === 0x2d ? 1 : 0) + (token.includes(".") ? 1 : 0);
  if (token.length - signs <= 15 && !/[eE]/.test(token)) return !isNegativeZero(token);
  const value = Number(token);
  if (!Number.isFinite(value) || Object.is(value, -0)) return false;
  const a = decimal(token);
  const b = decimal(String(value));
  return a !== undefined && b !== undefined && a.sign === b.sign && a.digits === b.digits && a.exp === b.exp;
}

function isNegativeZero(token: string): boolean {
  return token.charCodeAt(0) === 0x2d && /^-0*\.?0*$/.test(token);
}

/** A decimal as sign, significant digits (no leading or trailing zeros) and the exponent of the last digit. */
function decimal(text: string): { sign: string; digits: string; exp: number } | undefined {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? "";
  let digits = (m[2] + fraction).replace(/^0+/, "");
  let exp = Number(m[4] ?? 0) - fraction.length;
  const trimmed = digits.replace(/0+$/, "");
  exp += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === "") return { sign: "", digits: "", exp: 0 };
  return { sign: m[1], digits, exp };
}

function describe(problem: Problem, text: string, what: string, maxDepth: number): string {
  const where = pathAt(text, problem.at, what);
  if (problem.kind === "depth") return `${where} is nested deeper than ${maxDepth} levels`;
  return (
    `${where} is ${problem.token}, which a double (JavaScript's number) cannot hold exactly: it would become ` +
    `${JSON.stringify(Number(problem.token))}; send it as a string`
  );
}

/**
 * The path (`body.detail.items[2]`) of the value at offset `at`, found by walking the text again with a stack
 * of the containers open there (only on the error path).
 */
function pathAt(text: string, at: number, root: string): string {
  const open: { key?: string; index?: number }[] = [];
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i);
    const top = open[open.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      let j = end + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (top && top.index === undefined && text[j] === ":") top.key = readKey(text.slice(i, end + 1));
      i = end;
    } else if (c === 0x7b) {
      open.push({});
    } else if (c === 0x5b) {
      open.push({ index: 0 });
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
    } else if (c === 0x2c && top) {
      if (top.index !== undefined) top.index++;
      else top.key = undefined;
    }
  }
  let out = root;
  for (const frame of open.slice(0, SHOWN_LEVELS)) {
    if (frame.index !== undefined) out += `[${frame.index}]`;
    else if (frame.key !== undefined) out += segment(frame.key);
  }
  return open.length > SHOWN_LEVELS ? `${out}… (${open.length} levels down)` : out;
}

/** Levels of a path a message shows. */
const SHOWN_LEVELS = 12;

function readKey(token: string): string {
  try {
    return JSON.parse(token) as string;
  } catch {
    return token.slice(1, -1);
  }
}

function segment(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** `__proto__` or `constructor` may be in the text (as written or with `\u` escapes). */
function mayPollute(text: string): boolean {
  return text.includes("__proto__") || text.includes("constructor") || text.includes("\\u");
}

/** The path of the first `__proto__` key or `constructor.prototype`, breadth first, without recursion. */
function findPollution(root: object, what: string): string | undefined {
  let level: [unknown, string][] = [[root, what]];
  while (level.length > 0) {
    const next: [unknown, string][] = [];
    for (const [value, at] of level) {
      if (typeof value !== "object" || value === null) continue;
      const array = Array.isArray(value);
      for (const key of Object.keys(value)) {
        const here = array ? `${at}[${key}]` : `${at}${segment(key)}`;
        const inner = (value as Record<string, unknown>)[key];
        if (key === "__proto__") return here;
        if (
          key === "constructor" &&
          typeof inner === "object" &&
          inner !== null &&
          Object.prototype.hasOwnProperty.call(inner, "prototype")
        ) {
          return `${here}.prototype`;
        }
        next.push([inner, here]);
      }
    }
    level = next;
  }
  return undefined;
}
