/** Leaf semantics: how one condition tests one event value, plus the CIDR and wildcard parsers. */
import type { Cond, Scalar } from "./ast";

/** Parses an IPv4 or IPv6 address to its bytes, or undefined when it is not a standard address. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(":")) return parseIpv6(text);
  return parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function ipv6Words(part: string, last: boolean): number[] | undefined {
  if (part === "") return [];
  const groups = part.split(":");
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (last && i === groups.length - 1 && g.includes(".")) {
      // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
      const v4 = parseIpv4(g);
      if (!v4) return undefined;
      words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) words.push(parseInt(g, 16));
    else return undefined;
  }
  return words;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = ipv6Words(halves[0], halves.length === 1);
  if (!head) return undefined;
  let full: number[];
  if (halves.length === 1) {
    if (head.length !== 8) return undefined;
    full = head;
  } else {
    const tail = ipv6Words(halves[1], true);
    if (!tail || head.length + tail.length > 7) return undefined;
    full = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const out = new Uint8Array(16);
  full.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Parses a CIDR block; returns the reason AWS gives when it is malformed. */
export function parseCidr(text: string): { bytes: Uint8Array; bits: number } | string {
  const slash = text.split("/");
  if (slash.length !== 2) return "Malformed CIDR, one '/' required";
  if (!/^\d{1,3}$/.test(slash[1])) return "Malformed CIDR, mask bits must be an integer";
  const bytes = parseIp(slash[0]);
  if (!bytes) return `Nonstandard IP address: ${slash[0]}`;
  const bits = Number(slash[1]);
  if (bits > bytes.length * 8) return `Malformed CIDR, mask bits must be at most ${bytes.length * 8}`;
  return { bytes, bits };
}

function inCidr(ip: Uint8Array, net: Uint8Array, bits: number): boolean {
  if (ip.length !== net.length) return false;
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (ip[i] !== net[i]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (ip[i] & mask) === (net[i] & mask);
}

/**
 * Splits a wildcard pattern into the literal segments between unescaped `*`s, or returns AWS's reason.
 * Only `\*` and `\\` are valid escapes.
 */
export function parseWildcard(text: string): string[] | string {
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      const next = text[i + 1];
      if (next !== "*" && next !== "\\") return `Invalid escape character at pos ${i}`;
      current += next;
      i++;
    } else if (c === "*") {
      if (text[i + 1] === "*") return `Consecutive wildcard characters at pos ${i}`;
      segments.push(current);
      current = "";
    } else current += c;
  }
  segments.push(current);
  return segments;
}

/**
 * A rough measure of how many states of the wildcard automaton can be live at once (the idea behind
 * event-ruler's complexity evaluator; AWS's exact formula and threshold are not published). Each `*` adds a
 * live state, and more when the literal after it starts like an earlier one (`*:*:*:`), because one input
 * character then advances several stars' continuations. AWS rejects high scores with "Rule is too complex".
 */
export function wildcardComplexity(segments: readonly string[]): number {
  let score = 1;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i];
    const shared = segments.slice(1, i).filter((s) => s !== "" && seg !== "" && s[0] === seg[0]).length;
    score += 1 + shared;
  }
  return score;
}

/** The wildcard complexity above which a pattern is rejected as "Rule is too complex". */
export const MAX_WILDCARD_COMPLEXITY = 10;

/** Tests a value against wildcard segments in linear passes (no backtracking). */
export function wildcardMatches(segments: readonly string[], value: string): boolean {
  const n = segments.length;
  if (n === 1) return value === segments[0];
  const first = segments[0];
  const last = segments[n - 1];
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const seg = segments[i];
    const at = value.indexOf(seg, pos);
    if (at < 0 || at + seg.length > end) return false;
    pos = at + seg.length;
  }
  return true;
}

/** Does one condition accept one present event value? (`exists` is decided by the caller.) */
export function condMatches(cond: Cond, value: Scalar): boolean {
  switch (cond.kind) {
    case "exact":
      return value === cond.value;
    case "prefix":
      if (typeof value !== "string") return false;
      return cond.ignoreCase ? value.toLowerCase().startsWith(cond.text) : value.startsWith(cond.text);
    case "suffix":
      if (typeof value !== "string") return false;
      return cond.ignoreCase ? value.toLowerCase().endsWith(cond.text) : value.endsWith(cond.text);
    case "equalsIgnoreCase":
      return typeof value === "string" && value.toLowerCase() === cond.text;
    case "numeric":
      if (typeof value !== "number") return false;
      if (cond.lowerInclusive ? value < cond.lower : value <= cond.lower) return false;
      return cond.upperInclusive ? value <= cond.upper : value < cond.upper;
    case "cidr": {
      if (typeof value !== "string") return false;
      const ip = parseIp(value);
      return ip !== undefined && inCidr(ip, cond.bytes, cond.bits);
    }
    case "wildcard":
      return typeof value === "string" && wildcardMatches(cond.segments, value);
    case "anythingBut":
      for (const c of cond.inner) if (condMatches(c, value)) return false;
      return true;
    case "exists":
      return cond.exists;
  }
}

/** Does a field's condition list accept the values found at its path (empty when the path is absent)? */
export function fieldMatches(conds: readonly Cond[], values: readonly Scalar[] | undefined): boolean {
  const present = values !== undefined && values.length > 0;
  for (const c of conds) {
    if (c.kind === "exists") {
      if (c.exists === present) return true;
    } else if (present) {
      for (const v of values) if (condMatches(c, v)) return true;
    }
  }
  return false;
}
