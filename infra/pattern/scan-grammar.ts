/**
 * The JSON grammar (RFC 8259) as regular expressions, for `scan.ts` to validate what it skips without
 * building it: one regex run checks a whole nested value at native speed, where a character loop in JS is
 * several times slower. Sticky regexes are tested at a position; `lastIndex` is then the end of the match.
 */

/** JSON whitespace. */
const WS = "[ \\t\\n\\r]*";
const STRING = String.raw`"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"`;
const NUMBER = String.raw`-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?`;
const SCALAR = `(?:${STRING}|${NUMBER}|true|false|null)`;
/** Values nested up to `depth` containers deep. A member is followed by a comma and another, or by the end. */
function valueGrammar(depth: number): string {
  if (depth === 0) return SCALAR;
  const inner = valueGrammar(depth - 1);
  const object = String.raw`\{${WS}(?:\}|(?:${STRING}${WS}:${WS}${inner}${WS}(?:,${WS}(?!\})|(?=\})))+\})`;
  const array = String.raw`\[${WS}(?:\]|(?:${inner}${WS}(?:,${WS}(?!\])|(?=\])))+\])`;
  return `(?:${SCALAR}|${object}|${array})`;
}
const MEMBER_VALUE = valueGrammar(3);
/** Sticky: tested at a position, `lastIndex` is then the end of the string token. */
export const STRING_TOKEN = new RegExp(STRING, "y");
/** Sticky: a whole value nested up to 5 deep (deeper skipped values go to the full parse). */
export const NESTED_VALUE = new RegExp(valueGrammar(5), "y");

/**
 * Sticky: a run of object members to skip, each with its following comma (and the next member must then
 * follow) or up to the closing brace. A member is a key without escapes that is none of `keys` (the kept
 * ones) and a value nested up to 3 deep. The run stops at anything else: a kept or escaped key, a deeper
 * value, invalid text.
 */
export function memberSkipper(keys: readonly string[]): RegExp {
  const id = keys.join("\u0000");
  let regex = skippers.get(id);
  if (regex === undefined) {
    if (skippers.size >= 1000) skippers.clear();
    skippers.set(id, (regex = newMemberSkipper(keys)));
  }
  return regex;
}

/** Built skippers by key set: V8 compiles a regex on its first uses, so share it. */
const skippers = new Map<string, RegExp>();

function newMemberSkipper(keys: readonly string[]): RegExp {
  const literal = (key: string): string =>
    key.replace(/[^A-Za-z0-9_-]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const kept = keys.length === 0 ? "" : `(?!(?:${keys.map(literal).join("|")})")`;
  const member = String.raw`"${kept}[^"\\\u0000-\u001f]*"${WS}:${WS}${MEMBER_VALUE}${WS}(?:,${WS}(?!\})|(?=\}))`;
  return new RegExp(`(?:${member})*`, "y");
}
