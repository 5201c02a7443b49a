/**
 * The reference evaluator: matches one VALID pattern against one event by walking the pattern as written,
 * for clarity rather than speed. It shares no matching code with the compiler (only the IP parser), so the
 * property test comparing the two means something.
 */
import { parseIp } from "./conditions";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** A leaf value of the event with the arrays it sits in: array location (JSON pointer) → element index. */
interface Leaf {
  value: Json;
  arrays: Map<string, number>;
}

/** Every leaf value of the event by its dotted path; array elements share their parent's path. */
export function flattenEvent(event: Obj): Map<string, Leaf[]> {
  const out = new Map<string, Leaf[]>();
  const walk = (value: Json, path: string, pointer: string, arrays: Map<string, number>): void => {
    if (Array.isArray(value))
      value.forEach((v, i) => walk(v, path, `${pointer}/${i}`, new Map([...arrays, [pointer, i]])));
    else if (value !== null && typeof value === "object")
      for (const [k, v] of Object.entries(value))
        walk(v, path === "" ? k : `${path}.${k}`, `${pointer}/${k}`, arrays);
    else out.set(path, [...(out.get(path) ?? []), { value, arrays }]);
  };
  walk(event, "", "", new Map());
  return out;
}

/** Two leaves are consistent unless they sit in different elements of the same array. */
function consistent(a: Leaf, b: Leaf): boolean {
  return [...a.arrays].every(([array, index]) => !b.arrays.has(array) || b.arrays.get(array) === index);
}

type Item = Json;
/** One `$or`-free reading of the pattern: leaf path → its list of match items. */
type Alternative = Map<string, Item[]>;

/**
 * Every `$or`-free reading of the pattern. Inside an `$or` alternative a path that the enclosing object also
 * sets replaces the enclosing condition (event-ruler's rule overriding).
 */
function alternatives(pattern: Obj, prefix: string): Alternative[] {
  let result: Alternative[] = [new Map()];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === "$or") continue;
    const path = prefix + key;
    const inner: Alternative[] = Array.isArray(value)
      ? [new Map([[path, value]])]
      : alternatives(value as Obj, `${path}.`);
    result = result.flatMap((a) => inner.map((b) => new Map([...a, ...b])));
  }
  if ("$or" in pattern) {
    const ors = (pattern.$or as Obj[]).flatMap((alt) => alternatives(alt, prefix));
    result = result.flatMap((a) => ors.map((b) => new Map([...a, ...b])));
  }
  return result;
}

/** Does a valid `pattern` match `event`? */
export function referenceMatches(pattern: unknown, event: unknown): boolean {
  const flat = flattenEvent(event as Obj);
  return alternatives(pattern as Obj, "").some((alt) => alternativeMatches(alt, flat));
}

/**
 * Tries every choice of one leaf per field (or "absent" for a field allowing `exists: false`): the chosen
 * leaves must be pairwise consistent, and an absent field must have no leaf consistent with all of them.
 */
function alternativeMatches(alt: Alternative, flat: Map<string, Leaf[]>): boolean {
  const fields = [...alt.entries()];
  const choose = (k: number, chosen: Leaf[], absentPaths: string[]): boolean => {
    if (k === fields.length)
      return absentPaths.every(
        (p) => !(flat.get(p) ?? []).some((leaf) => chosen.every((c) => consistent(c, leaf))),
      );
    const [path, items] = fields[k];
    const leaves = flat.get(path) ?? [];
    for (const leaf of leaves)
      if (items.some((item) => itemAccepts(item, leaf.value)) && chosen.every((c) => consistent(c, leaf)))
        if (choose(k + 1, [...chosen, leaf], absentPaths)) return true;
    const allowsAbsent = items.some((item) => isObj(item) && item.exists === false);
    return allowsAbsent && choose(k + 1, chosen, [...absentPaths, path]);
  };
  return choose(0, [], []);
}

const isObj = (v: Json): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Does one match item accept one present leaf value? */
function itemAccepts(item: Item, v: Json): boolean {
  if (!isObj(item)) return v === item;
  const [type, arg] = Object.entries(item)[0];
  if (type === "exists") return arg === true;
  return testValue(type, arg, v);
}

const lower = (s: string): string => s.toLowerCase();

function testValue(type: string, arg: Json, v: Json): boolean {
  switch (type) {
    case "exactly":
      return v === arg;
    case "prefix":
      if (typeof v !== "string") return false;
      return typeof arg === "string"
        ? v.startsWith(arg)
        : lower(v).startsWith(lower((arg as Obj)["equals-ignore-case"] as string));
    case "suffix":
      if (typeof v !== "string") return false;
      return typeof arg === "string"
        ? v.endsWith(arg)
        : lower(v).endsWith(lower((arg as Obj)["equals-ignore-case"] as string));
    case "equals-ignore-case":
      return typeof v === "string" && lower(v) === lower(arg as string);
    case "numeric":
      return typeof v === "number" && numericHolds(arg as (string | number)[], v);
    case "cidr":
      return typeof v === "string" && inCidr(arg as string, v);
    case "wildcard":
      return typeof v === "string" && wildcardRegExp(arg as string).test(v);
    case "anything-but":
      return !anythingButExcludes(arg, v);
    default:
      throw new Error(`unknown match type ${type}`);
  }
}

function numericHolds(ops: (string | number)[], v: number): boolean {
  for (let i = 0; i < ops.length; i += 2) {
    const n = ops[i + 1] as number;
    const ok = { "=": v === n, "<": v < n, "<=": v <= n, ">": v > n, ">=": v >= n }[ops[i] as string];
    if (!ok) return false;
  }
  return true;
}

function inCidr(cidr: string, value: string): boolean {
  const [net, bitsText] = cidr.split("/");
  const a = parseIp(net)!;
  const b = parseIp(value);
  if (!b || a.length !== b.length) return false;
  const bits = (bytes: Uint8Array): string => [...bytes].map((x) => x.toString(2).padStart(8, "0")).join("");
  const n = Number(bitsText);
  return bits(a).slice(0, n) === bits(b).slice(0, n);
}

function wildcardRegExp(text: string): RegExp {
  let source = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") source += `\\${text[++i]}`;
    else if (text[i] === "*") source += "[\\s\\S]*";
    else source += text[i].replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** True when `v` is one of the values anything-but lists. */
function anythingButExcludes(arg: Json, v: Json): boolean {
  if (Array.isArray(arg)) return arg.includes(v);
  if (arg === null || typeof arg !== "object") return v === arg;
  const [type, inner] = Object.entries(arg)[0];
  const list = (Array.isArray(inner) ? inner : [inner]) as string[];
  if (typeof v !== "string") return false;
  switch (type) {
    case "prefix":
      return list.some((p) => v.startsWith(p));
    case "suffix":
      return list.some((s) => v.endsWith(s));
    case "equals-ignore-case":
      return list.some((s) => lower(s) === lower(v));
    case "wildcard":
      return list.some((w) => wildcardRegExp(w).test(v));
    default:
      throw new Error(`unknown anything-but type ${type}`);
  }
}
