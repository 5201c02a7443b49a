/**
 * Property: the indexed matcher agrees with the plain reference evaluator on random valid patterns and random
 * events, alone and compiled together as one routing table.
 */
import { expect } from "chai";
import fc from "fast-check";
import { check, compile } from "../../infra/pattern";
import { referenceMatches } from "../../infra/pattern/reference";

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

describe("indexed matcher agrees with the reference evaluator (fast-check)", function () {
  it("on one random pattern and one random event", function () {
    fc.assert(
      fc.property(validPattern, event, (p, e) => {
        const indexed = compile([{ key: "p", pattern: p }]).match(e).length === 1;
        expect(indexed).to.equal(referenceMatches(p, e));
      }),
      { numRuns: 3000 },
    );
  });

  it("on a table of random patterns compiled together", function () {
    fc.assert(
      fc.property(fc.array(validPattern, { minLength: 1, maxLength: 12 }), fc.array(event, { maxLength: 5 }), (ps, es) => {
        const m = compile(ps.map((p, i) => ({ key: `r${i}`, pattern: p })));
        for (const e of es) {
          const expected = ps.flatMap((p, i) => (referenceMatches(p, e) ? [`r${i}`] : []));
          expect(m.match(e)).to.deep.equal(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("actually generates matching cases (the property is not vacuous)", function () {
    const samples = fc.sample(fc.tuple(validPattern, event), 3000);
    const matched = samples.filter(([p, e]) => referenceMatches(p, e)).length;
    expect(matched).to.be.greaterThan(100);
  });
});
