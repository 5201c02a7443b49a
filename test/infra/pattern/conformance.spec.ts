/**
 * Runs every case of the shared EventBridge conformance corpus through the engine: one `it` per case id.
 * A missing corpus fails the run (the loader throws) instead of silently skipping.
 */
import { expect } from "chai";
import { check, compile, InvalidEventError } from "../../../infra/pattern";
import { parsePatternJson } from "../../../infra/pattern/json";
import { referenceMatches } from "../../../infra/pattern/reference";
import { type CorpusCase, eventInput, loadCorpus, patternInput } from "./corpus";

/**
 * Cases whose expected outcome we knowingly do not reproduce, each with its reason. These tests assert the
 * OPPOSITE outcome, so a behaviour change shows up here rather than going unnoticed.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

const corpus = loadCorpus();
const tally = new Map<string, { passed: number; total: number }>();

function record(source: string, passed: boolean): void {
  const t = tally.get(source) ?? { passed: 0, total: 0 };
  t.total++;
  if (passed) t.passed++;
  tally.set(source, t);
}

const asObject = (input: unknown): unknown => (typeof input === "string" ? parsePatternJson(input) : input);

/** The engine's outcome for a case: through `check`, the indexed matcher and the reference evaluator. */
function outcome(c: CorpusCase): string {
  const pattern = patternInput(c);
  if (check(pattern) !== undefined) return "invalid-pattern";
  const indexed = compile([{ key: c.id, pattern }]).match(eventInput(c)).length > 0;
  const reference = referenceMatches(asObject(pattern), asObject(eventInput(c)));
  if (indexed !== reference) return `indexed=${indexed} but reference=${reference}`;
  return indexed ? "match" : "no-match";
}

describe("pattern engine conformance (shared corpus)", function () {
  afterEach(function () {
    const id = this.currentTest?.title ?? "";
    const c = corpus.cases.find((x) => x.id === id) ?? corpus.validPatterns.items.find((x) => x.id === id);
    if (c && !(id in KNOWN_DIFFERENCES))
      record(`${c.source}/${c.expect}`, this.currentTest?.state === "passed");
  });

  after(function () {
    const lines = [...tally.entries()].sort().map(([k, t]) => `  ${k.padEnd(32)} ${t.passed}/${t.total}`);
    const bySource = new Map<string, { passed: number; total: number }>();
    for (const [k, t] of tally) {
      const s = bySource.get(k.split("/")[0]) ?? { passed: 0, total: 0 };
      bySource.set(k.split("/")[0], { passed: s.passed + t.passed, total: s.total + t.total });
    }
    for (const [s, t] of bySource) lines.push(`  ${`${s} (all)`.padEnd(32)} ${t.passed}/${t.total}`);
    lines.push(`  known differences (asserted)     ${Object.keys(KNOWN_DIFFERENCES).length}`);
    console.log(`\n  Conformance pass counts:\n${lines.join("\n")}`);
  });

  describe("cases", function () {
    for (const c of corpus.cases) {
      const reason = KNOWN_DIFFERENCES[c.id];
      if (reason !== undefined) {
        it(`${c.id} [known difference: ${reason}]`, function () {
          expect(outcome(c)).to.not.equal(c.expect);
        });
        continue;
      }
      it(c.id, function () {
        expect(outcome(c), check(patternInput(c))).to.equal(c.expect);
      });
    }
  });

  describe("validPatterns", function () {
    for (const c of corpus.validPatterns.items)
      it(c.id, function () {
        expect(check(patternInput(c))).to.equal(undefined);
      });
  });

  describe("invalidEvents (events that are not JSON objects)", function () {
    // The third item is an object lacking the envelope fields TestEventPattern requires; a matcher is not
    // TestEventPattern, so only the non-object events apply here.
    for (const c of corpus.invalidEvents.items.filter(
      (x) => typeof x.event !== "object" || x.event === null || Array.isArray(x.event),
    ))
      it(c.id, function () {
        const matcher = compile([{ key: "k", pattern: patternInput(c) }]);
        expect(() => matcher.match(eventInput(c))).to.throw(InvalidEventError);
      });
  });
});
