import fc from "fast-check";
import { check } from "../../infra/pattern";
const KEYS = ["a", "b", "c", "a.b"];
const STRINGS = ["x", "X", "xy", "yx", "ab", "", "10.0.0.7", "192.168.1.1", "2001:db8::1", "a*b", "a\\b", "300"];
const NUMBERS = [0, 1, 1.5, -2, 300, 1000, 5e9];

const scalar = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 4 }),
);

const { event } = fc.letrec<{ event: Record<string, unknown>; value: unknown }>((tie) => ({
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
  fc.tuple(fc.constantFrom(">", ">="), fc.constantFrom(-2, 0, 1), fc.constantFrom("<", "<="), fc.constantFrom(1.5, 300)),
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

const { pattern } = fc.letrec<{ pattern: Record<string, unknown>; node: unknown }>((tie) => ({
  pattern: fc
    .tuple(
      fc.dictionary(fc.constantFrom(...KEYS), tie("node"), { minKeys: 1, maxKeys: 3 }),
      fc.option(fc.array(tie("pattern"), { minLength: 2, maxLength: 3 }), { freq: 4 }),
    )
    .map(([fields, or]) => (or === null ? fields : { ...fields, $or: or })),
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, leaf, tie("pattern")),
}));

const validPattern = pattern.filter((p) => check(p) === undefined);
let t = Date.now();
const ps = fc.sample(pattern, 2000);
console.log("gen ms", Date.now() - t, "avg len", ps.reduce((a, p) => a + JSON.stringify(p).length, 0) / ps.length);
const reasons = new Map<string, number>();
for (const p of ps) { const r = (check(p) ?? "VALID").replace(/\(at.*$/, "").slice(0, 60); reasons.set(r, (reasons.get(r) ?? 0) + 1); }
console.log([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12));
t = Date.now(); fc.sample(event, 2000); console.log("event gen ms", Date.now() - t);
