/**
 * Property: the indexed matcher agrees with the plain reference evaluator on random valid patterns and random
 * events, alone and compiled together as one routing table.
 */
import { expect } from "chai";
import fc from "fast-check";
import { compile } from "../../../infra/pattern";
import { referenceMatches } from "../../../infra/pattern/reference";
import { patternAndEvent, RUNS } from "./generators";

describe("indexed matcher agrees with the reference evaluator (fast-check)", function () {
  it("on one random pattern and one random event", function () {
    fc.assert(
      fc.property(patternAndEvent, ([p, e]) => {
        const indexed = compile([{ key: "p", pattern: p }]).match(e).length === 1;
        expect(indexed).to.equal(referenceMatches(p, e));
      }),
      { numRuns: RUNS },
    );
  });

  it("on a table of random patterns compiled together", function () {
    fc.assert(
      fc.property(fc.array(patternAndEvent, { minLength: 1, maxLength: 12 }), (pairs) => {
        const ps = pairs.map(([p]) => p);
        const es = pairs.map(([, e]) => e);
        const m = compile(ps.map((p, i) => ({ key: `r${i}`, pattern: p })));
        for (const e of es) {
          const expected = ps.flatMap((p, i) => (referenceMatches(p, e) ? [`r${i}`] : []));
          expect(m.match(e)).to.deep.equal(expected);
        }
      }),
      { numRuns: Math.ceil(RUNS / 6) },
    );
  });

  it("actually generates matching cases (the property is not vacuous)", function () {
    const samples = fc.sample(patternAndEvent, 3000);
    const matched = samples.filter(([p, e]) => referenceMatches(p, e)).length;
    expect(matched).to.be.within(600, 2400);
  });
});
