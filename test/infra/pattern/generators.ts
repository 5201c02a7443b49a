/**
 * fast-check generators shared by the pattern specs: random valid patterns over a few keys (dotted ones
 * included), random events over the same keys, and events built to satisfy a pattern.
 */
import fc from "fast-check";
import { check } from "../../../infra/pattern";

export const KEYS = ["a", "b", "c", "a.b"];
export const STRINGS = [
  "x",
  "X",
  "xy",
  "yx",
  "ab",
  "",
  "10.0.0.7",
  "192.168.1.1",
  "2001:db8::1",
  "a*b",
  "a\\b",
  "300",
];
export const NUMBERS = [0, 1, 1.5, -2, 300, 1000, 5e9];

export const scalar = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 4 }),
);

export const { event } = fc.letrec<{ event: Record<string, unknown>; value: unknown }>((tie) => ({
  event: fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 4 }),
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(fc.oneof(scalar, tie("event")), { maxLength: 3 }),
    tie("event"),
  ),
}));

const str = fc.constantFrom("x", "X", "a", "y", "ab", "10");
const strList = fc.array(str, { minLength: 1, maxLength: 3 });
const wild = fc.constantFrom("*", "x*", "*y", "a*b", "*b*", "a\\*b", "a\\\\b", "x*y*z");
const numericOps = fc.oneof(
  fc.tuple(fc.constant("="), fc.constantFrom(...NUMBERS)),
  fc.tuple(fc.constantFrom(">", ">=", "<", "<="), fc.constantFrom(...NUMBERS)),
  fc.tuple(
    fc.constantFrom(">", ">="),
    fc.constantFrom(-2, 0, 1),
    fc.constantFrom("<", "<="),
    fc.constantFrom(1.5, 300),
  ),
);

const matcher = fc.oneof(
  fc.record({ prefix: fc.oneof(str, fc.record({ "equals-ignore-case": str })) }),
  fc.record({ suffix: fc.oneof(str, fc.record({ "equals-ignore-case": str })) }),
  fc.record({ "equals-ignore-case": str }),
  fc.record({ exactly: str }),
  fc.record({
    "anything-but": fc.oneof(
      str,
      fc.constantFrom(...NUMBERS),
      strList,
      fc.array(fc.constantFrom(...NUMBERS), { minLength: 1, maxLength: 3 }),
      fc.record({ prefix: fc.oneof(str, strList) }),
      fc.record({ suffix: fc.oneof(str, strList) }),
      fc.record({ "equals-ignore-case": fc.oneof(str, strList) }),
      fc.record({ wildcard: fc.oneof(wild, fc.array(wild, { minLength: 1, maxLength: 2 })) }),
    ),
  }),
  fc.record({ numeric: numericOps }),
  fc.record({ exists: fc.boolean() }),
  fc.record({ cidr: fc.constantFrom("10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "0.0.0.0/0") }),
  fc.record({ wildcard: wild }),
);

const leaf = fc.array(fc.oneof(scalar, matcher, matcher), { minLength: 1, maxLength: 3 });

/** A pattern nested at most `depth` levels (objects or `$or`) below its top level. */
function patternAt(depth: number): fc.Arbitrary<Record<string, unknown>> {
  const node = depth === 0 ? leaf : fc.oneof(leaf, leaf, patternAt(depth - 1));
  const fields = fc.dictionary(fc.constantFrom(...KEYS), node, { minKeys: 1, maxKeys: 3 });
  if (depth === 0) return fields;
  return fc
    .tuple(fields, fc.option(fc.array(patternAt(depth - 1), { minLength: 2, maxLength: 3 }), { freq: 4 }))
    .map(([f, or]) => (or === null ? f : { ...f, $or: or }));
}

export const pattern = patternAt(2);
export const validPattern = pattern.filter((p) => check(p) === undefined);

/** A value that likely satisfies one match item, so generated events often match. */
function witnessValue(item: unknown): unknown {
  if (item === null || typeof item !== "object") return item;
  const [type, arg] = Object.entries(item)[0] as [string, unknown];
  const text = (v: unknown): string =>
    typeof v === "string" ? v : String((v as Record<string, unknown>)["equals-ignore-case"]);
  switch (type) {
    case "prefix":
      return `${text(arg)}Zq`;
    case "suffix":
      return `qZ${text(arg)}`;
    case "equals-ignore-case":
      return text(arg).toUpperCase();
    case "exactly":
      return arg;
    case "numeric":
      return (arg as unknown[])[1];
    case "cidr":
      return (arg as string).startsWith("2001") ? "2001:db8::7" : "10.0.0.9";
    case "wildcard":
      return (arg as string).replace(/\\([*\\])|\*/g, (_, escaped?: string) => escaped ?? "q");
    case "anything-but":
      return "qq";
    default:
      return "x";
  }
}

/** An event built to satisfy the first items of `p` (one `$or` alternative), sometimes inside arrays. */
function witness(p: Record<string, unknown>, pick: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k === "$or") Object.assign(out, witness((v as Record<string, unknown>[])[pick % 2], pick >> 1));
    else if (Array.isArray(v)) {
      const item: unknown = v[pick % v.length];
      if (isExistsFalse(item)) continue;
      const value = witnessValue(item);
      out[k] = pick % 3 === 0 ? [value, "other"] : value;
    } else
      out[k] =
        pick % 5 === 0
          ? [witness(v as Record<string, unknown>, pick >> 1)]
          : witness(v as Record<string, unknown>, pick >> 1);
  }
  return out;
}

const isExistsFalse = (item: unknown): boolean =>
  typeof item === "object" && item !== null && (item as Record<string, unknown>).exists === false;

/** A random pattern with an event that is random, built to match it, or a mix of both. */
export const patternAndEvent = fc
  .tuple(validPattern, event, fc.nat(), fc.constantFrom("random", "witness", "mixed"))
  .map(([p, e, pick, how]): [Record<string, unknown>, Record<string, unknown>] => {
    if (how === "random") return [p, e];
    const w = witness(p, pick);
    return [p, how === "witness" ? w : { ...e, ...w }];
  });

/**
 * fast-check runs per property in `npm test` (fast-check's own default is 100): 500 keeps the suite's time (3,000 cost ~10 s of CPU more on two
 * cores for the same properties). Search deeper with e.g. `PROPERTY_RUNS=50000 npx mocha test/infra/pattern`.
 */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);
