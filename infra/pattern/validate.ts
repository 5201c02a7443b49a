/**
 * Validation and normalization: a pattern (value or exact text) becomes its `$or`-free branches, or the
 * reason EventBridge would reject it. Reasons reuse AWS's wording where it is known, plus the field path.
 */
import { type Branch, type Cond, type Field, MAX_OR_COMBINATIONS, MAX_PATTERN_CHARS } from "./ast";
import { MAX_WILDCARD_COMPLEXITY, parseCidr, parseWildcard, wildcardComplexity } from "./conditions";
import { JsonTextError, parsePatternJson } from "./json";

/** Internal: thrown while normalizing, turned into a reason string by `normalize`. */
class PatternProblem extends Error {}

const MATCH_TYPES = new Set([
  "exactly",
  "prefix",
  "suffix",
  "equals-ignore-case",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
  "wildcard",
]);

function fail(reason: string, path: string): never {
  throw new PatternProblem(path === "" ? reason : `${reason} (at "${path}")`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Normalizes a pattern; returns the branches or the reason it is invalid. Never throws. */
export function normalize(pattern: unknown): { branches: Branch[] } | { reason: string } {
  try {
    let value = pattern;
    if (typeof pattern === "string") {
      if (pattern.length > MAX_PATTERN_CHARS)
        return { reason: `Event pattern is ${pattern.length} characters, the limit is ${MAX_PATTERN_CHARS}` };
      value = parsePatternJson(pattern);
    } else {
      const text = safeStringify(pattern);
      if (text.length > MAX_PATTERN_CHARS)
        return { reason: `Event pattern is ${text.length} characters, the limit is ${MAX_PATTERN_CHARS}` };
    }
    if (!isObject(value)) return { reason: "Filter is not an object" };
    return { branches: objectBranches(value, "", false) };
  } catch (e) {
    if (e instanceof PatternProblem || e instanceof JsonTextError) return { reason: e.message };
    return { reason: `Event pattern is not valid: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "";
  } catch (e) {
    throw new PatternProblem(`Event pattern is not JSON-serializable: ${(e as Error).message}`);
  }
}

/** A branch with `later`'s fields added; a path set in both keeps `later`'s condition (event-ruler overriding). */
function merge(earlier: Branch, later: Branch): Branch {
  const paths = new Set(later.map((f) => f.path));
  return [...earlier.filter((f) => !paths.has(f.path)), ...later];
}

function cross(a: Branch[], b: Branch[], path: string): Branch[] {
  if (a.length * b.length > MAX_OR_COMBINATIONS)
    fail(`Too many $or combinations (more than ${MAX_OR_COMBINATIONS})`, path);
  const out: Branch[] = [];
  for (const x of a) for (const y of b) out.push(merge(x, y));
  return out;
}

function objectBranches(obj: Record<string, unknown>, prefix: string, inOr: boolean, depth = 0): Branch[] {
  const keys = Object.keys(obj);
  if (keys.length === 0) fail("Empty objects are not allowed", prefix.slice(0, -1));
  if (depth > 100) fail("Pattern nested too deeply", prefix);
  let branches: Branch[] = [[]];
  // `$or` last: its alternatives override the enclosing object's conditions on the same path.
  keys.sort((a, b) => Number(a === "$or") - Number(b === "$or"));
  for (const key of keys) {
    const value = obj[key];
    const path = prefix + key;
    if (inOr && MATCH_TYPES.has(key))
      fail(`"${key}" is a match type and cannot be a field name inside $or`, path);
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject))
        fail("$or must be an array of at least two objects", path);
      const alternatives: Branch[] = [];
      for (const alt of value as Record<string, unknown>[]) {
        alternatives.push(...objectBranches(alt, prefix, true, depth + 1));
        if (alternatives.length > MAX_OR_COMBINATIONS)
          fail(`Too many $or combinations (more than ${MAX_OR_COMBINATIONS})`, path);
      }
      branches = cross(branches, alternatives, path);
    } else if (Array.isArray(value)) {
      const field: Field = { path, conds: leafConds(value, path) };
      branches = branches.map((b) => merge(b, [field]));
    } else if (isObject(value)) {
      branches = cross(branches, objectBranches(value, path + ".", false, depth + 1), path);
    } else fail(`"${key}" must be an object or an array`, path);
  }
  return branches;
}

function leafConds(values: unknown[], path: string): Cond[] {
  if (values.length === 0) fail("Empty arrays are not allowed", path);
  return values.map((v) => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return { kind: "exact", value: v };
    if (typeof v === "number") return { kind: "exact", value: v };
    if (isObject(v)) return matchCond(v, path);
    fail("Match value must be a string, number, boolean, null or object", path);
  });
}

function single(obj: Record<string, unknown>, path: string, what: string): [string, unknown] {
  const keys = Object.keys(obj);
  if (keys.length !== 1) fail(`${what} must have exactly one key`, path);
  return [keys[0], obj[keys[0]]];
}

function matchCond(obj: Record<string, unknown>, path: string): Cond {
  const [type, arg] = single(obj, path, "A match expression");
  switch (type) {
    case "exactly":
      if (typeof arg !== "string") fail("exactly match pattern must be a string", path);
      return { kind: "exact", value: arg };
    case "prefix":
    case "suffix":
      return prefixSuffix(type, arg, path);
    case "equals-ignore-case":
      if (typeof arg !== "string") fail("equals-ignore-case match pattern must be a string", path);
      return { kind: "equalsIgnoreCase", text: arg.toLowerCase() };
    case "anything-but":
      return { kind: "anythingBut", inner: anythingBut(arg, path) };
    case "numeric":
      return numeric(arg, path);
    case "exists":
      if (typeof arg !== "boolean") fail("exists match pattern must be either true or false", path);
      return { kind: "exists", exists: arg };
    case "cidr": {
      if (typeof arg !== "string") fail("prefix match pattern must be a string", path);
      const cidr = parseCidr(arg);
      if (typeof cidr === "string") fail(cidr, path);
      return { kind: "cidr", ...cidr };
    }
    case "wildcard":
      if (typeof arg !== "string") fail("wildcard match pattern must be a string", path);
      return wildcard(arg, path);
    default:
      fail(`Unrecognized match type ${type}`, path);
  }
}

function prefixSuffix(type: "prefix" | "suffix", arg: unknown, path: string): Cond {
  if (typeof arg === "string") return { kind: type, text: arg, ignoreCase: false };
  if (isObject(arg)) {
    const [inner, text] = single(arg, path, `${type} expression`);
    if (inner !== "equals-ignore-case") fail(`Unsupported ${type} pattern: ${inner}`, path);
    if (typeof text !== "string") fail("equals-ignore-case match pattern must be a string", path);
    return { kind: type, text: text.toLowerCase(), ignoreCase: true };
  }
  fail(`${type} match pattern must be a string`, path);
}

function wildcard(text: string, path: string): Cond {
  const segments = parseWildcard(text);
  if (typeof segments === "string") fail(segments, path);
  if (wildcardComplexity(segments) > MAX_WILDCARD_COMPLEXITY)
    fail(
      "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
      path,
    );
  return { kind: "wildcard", segments };
}

function stringList(arg: unknown, path: string, what: string, allowEmpty: boolean): string[] {
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.length === 0) fail("Empty arrays are not allowed", path);
  for (const s of list) {
    if (typeof s !== "string") fail(`${what} match pattern must be a string`, path);
    if (!allowEmpty && s === "") fail("Null prefix/suffix not allowed", path);
  }
  return list as string[];
}

function anythingBut(arg: unknown, path: string): Cond[] {
  if (typeof arg === "string" || typeof arg === "number") return [{ kind: "exact", value: arg }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) fail("Empty arrays are not allowed", path);
    const allStrings = arg.every((v) => typeof v === "string");
    const allNumbers = arg.every((v) => typeof v === "number");
    if (!allStrings && !allNumbers)
      fail("Inside anything but list, start|null|boolean is not supported.", path);
    return (arg as (string | number)[]).map((value) => ({ kind: "exact", value }));
  }
  if (isObject(arg)) {
    const [inner, value] = single(arg, path, "anything-but expression");
    switch (inner) {
      case "prefix":
      case "suffix":
        if (isObject(value))
          fail("Value of anything-but must be an array or single string/number value.", path);
        return stringList(value, path, "prefix/suffix", false).map((text) => ({
          kind: inner,
          text,
          ignoreCase: false,
        }));
      case "equals-ignore-case":
        if (!(
          typeof value === "string" ||
          (Array.isArray(value) && value.every((v) => typeof v === "string"))
        ))
          fail(
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
            path,
          );
        return stringList(value, path, "equals-ignore-case", true).map((t) => ({
          kind: "equalsIgnoreCase",
          text: t.toLowerCase(),
        }));
      case "wildcard":
        return stringList(value, path, "wildcard", true).map((t) => wildcard(t, path));
      default:
        fail("Value of anything-but must be an array or single string/number value.", path);
    }
  }
  fail("Value of anything-but must be an array or single string/number value.", path);
}

function numeric(arg: unknown, path: string): Cond {
  if (!Array.isArray(arg)) fail("Value of numeric must be an array.", path);
  const cond = {
    kind: "numeric" as const,
    lower: -Infinity,
    lowerInclusive: false,
    upper: Infinity,
    upperInclusive: false,
  };
  const operand = (i: number): number => {
    const v: unknown = arg[i + 1];
    if (typeof v !== "number") fail(`Value of ${String(arg[i])} must be numeric`, path);
    return v;
  };
  if (arg.length === 0) fail("Empty arrays are not allowed", path);
  let i = 0;
  let seenLower = false;
  let seenUpper = false;
  while (i < arg.length) {
    const op: unknown = arg[i];
    if (op === "=" && arg.length === 2) {
      const v = operand(i);
      return { ...cond, lower: v, lowerInclusive: true, upper: v, upperInclusive: true };
    } else if ((op === ">" || op === ">=") && !seenLower && !seenUpper) {
      cond.lower = operand(i);
      cond.lowerInclusive = op === ">=";
      seenLower = true;
    } else if ((op === "<" || op === "<=") && !seenUpper) {
      cond.upper = operand(i);
      cond.upperInclusive = op === "<=";
      seenUpper = true;
    } else fail(`Bad numeric range operator: ${String(op)}`, path);
    i += 2;
  }
  if (cond.lower >= cond.upper) fail("Bottom must be less than top", path);
  return cond;
}
