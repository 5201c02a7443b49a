/**
 * `Matcher.matchText` (selective parsing of event text, `infra/pattern/scan.ts`) answers exactly as `match`
 * does on the fully parsed text: on random tables and events in many legal JSON spellings, on hand-written
 * texts, on the conformance corpus; and it rejects every text `JSON.parse` rejects, skipped parts included.
 */
import { expect } from "chai";
import fc from "fast-check";
import { compile, InvalidEventError, type Matcher } from "../../../infra/pattern";
import { EventScanner } from "../../../infra/pattern/scan";
import { normalize } from "../../../infra/pattern/validate";
import { eventInput, loadCorpus, patternInput } from "./corpus";
import { patternAndEvent, RUNS } from "./generators";

/** The field paths the scanner keeps for these patterns, as the compiler derives them. */
function pathsOf(patterns: readonly unknown[]): string[] {
  const paths = new Set<string>();
  for (const p of patterns) {
    const n = normalize(p);
    if ("branches" in n) for (const b of n.branches) for (const f of b) paths.add(f.path);
  }
  return [...paths];
}

/** What a call did: its answer, or the name of the error it threw. */
function outcome(run: () => string[]): { ok: string[] } | { error: string } {
  try {
    return { ok: run() };
  } catch (e) {
    return { error: (e as Error).name };
  }
}

/** How deep containers nest in the text (duplicate keys included, which the parsed value may have dropped). */
function nesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") max = Math.max(max, ++depth);
    else if (ch === "}" || ch === "]") depth--;
  }
  return max;
}

/**
 * Writes `value` as JSON in one of many legal spellings chosen by `pick`: whitespace between all tokens,
 * `\u` and `\/` escapes, numbers in exponent form or with a zero fraction, and extra members (`junk`
 * values under pattern keys or others, some before the real member as duplicates JSON.parse drops).
 */
function spell(value: unknown, pick: () => number, junk: readonly unknown[]): string {
  const ws = () => ["", "", "", " ", "\n  ", "\t", "\r\n"][pick() % 7];
  const str = (s: string) =>
    `"${[...s]
      .map((ch) => {
        const r = pick() % 8;
        if (r === 0 && ch.length === 1) return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
        if (r === 1 && ch === "/") return "\\/";
        return JSON.stringify(ch).slice(1, -1);
      })
      .join("")}"`;
  const num = (n: number) => {
    const forms = [JSON.stringify(n), n.toExponential(), n.toExponential().toUpperCase()];
    if (/^-?\d+$/.test(JSON.stringify(n))) forms.push(`${JSON.stringify(n)}.000`);
    return forms[pick() % forms.length];
  };
  const write = (v: unknown, extras: boolean): string => {
    if (typeof v === "string") return str(v);
    if (typeof v === "number") return num(v);
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => write(x, extras) + ws()).join(`,${ws()}`)}]`;
    const members: string[] = [];
    const extra = () => write(junk[pick() % junk.length], false);
    for (const [k, x] of Object.entries(v)) {
      if (extras && pick() % 4 === 0) members.push(`${str(k)}${ws()}:${ws()}${extra()}`);
      if (extras && pick() % 4 === 0)
        members.push(`${str(["zz", "a.b", "__proto__", ""][pick() % 4])}:${extra()}`);
      members.push(`${ws()}${str(k)}${ws()}:${ws()}${write(x, extras)}${ws()}`);
    }
    return `{${ws()}${members.join(",")}}`;
  };
  return `${ws()}${write(value, true)}${ws()}`;
}

describe("matchText: selective parsing of event text", function () {
  this.timeout(120_000);
  it("answers as match(JSON.parse(text)) on random tables, events and spellings (fast-check)", function () {
    let scanned = 0;
    let texts = 0;
    fc.assert(
      fc.property(
        fc.array(patternAndEvent, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 4 }),
        (pairs, choices, junk) => {
          let n = 0;
          const pick = () => choices[n++ % choices.length] + n;
          const patterns = pairs.map(([p]) => p);
          const m = compile(patterns.map((pattern, i) => ({ key: `r${i}`, pattern })));
          const scanner = new EventScanner(pathsOf(patterns));
          for (const [, e] of pairs)
            for (const text of [JSON.stringify(e), JSON.stringify(e, null, 2), spell(e, pick, junk)]) {
              const parsed = JSON.parse(text) as object;
              expect(m.matchText(text), text).to.deep.equal(m.match(parsed));
              // The scanner itself took the text (no fall-back to the full parse) unless it nests deeply.
              const partial = scanner.scan(text);
              if (nesting(text) <= 6) expect(partial, text).to.not.equal(undefined);
              texts++;
              if (partial !== undefined) scanned++;
            }
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
    expect(scanned / texts).to.be.above(0.9);
  });

  it("rejects every mutated text JSON.parse rejects, and otherwise answers as match (fast-check)", function () {
    const nasty = [
      ",",
      ":",
      '"',
      "\\",
      "{",
      "}",
      "[",
      "]",
      "\n",
      "\u0001",
      "0",
      "-",
      ".",
      "e",
      " ",
      "t",
      "\u2028",
    ];
    let rejected = 0;
    fc.assert(
      fc.property(
        patternAndEvent,
        fc.nat(),
        fc.constantFrom("delete", "insert", "replace"),
        fc.constantFrom(...nasty),
        fc.boolean(),
        ([p, e], at, how, ch, pretty) => {
          const text = pretty ? JSON.stringify(e, null, 1) : JSON.stringify(e);
          const i = at % (text.length + 1);
          const mutated =
            text.slice(0, i) + (how === "delete" ? "" : ch) + text.slice(how === "insert" ? i : i + 1);
          const m = compile([{ key: "p", pattern: p }]);
          let valid = true;
          try {
            JSON.parse(mutated);
          } catch {
            valid = false;
          }
          const got = outcome(() => m.matchText(mutated));
          expect(got, mutated).to.deep.equal(outcome(() => m.match(mutated)));
          if (!valid) {
            rejected++;
            expect(got, mutated).to.deep.equal({ error: "InvalidEventError" });
            expect(new EventScanner(pathsOf([p])).scan(mutated), mutated).to.equal(undefined);
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(rejected).to.be.above(RUNS / 4);
  });

  describe("hand-written texts answer as match(JSON.parse(text))", function () {
    const cases: { title: string; pattern: object; text: string; matches: boolean }[] = [
      {
        title: "duplicate key: the last wins",
        pattern: { a: ["x"] },
        text: '{"a":"x","a":"y"}',
        matches: false,
      },
      {
        title: "duplicate key, last one kept",
        pattern: { a: ["x"] },
        text: '{"a":"y","a":"x"}',
        matches: true,
      },
      {
        title: "a later object hides a value",
        pattern: { a: ["x"] },
        text: '{"a":"x","a":{"b":1}}',
        matches: false,
      },
      { title: "escaped key", pattern: { a: ["x"] }, text: '{"\\u0061":"x"}', matches: true },
      { title: "escaped value", pattern: { a: ["x/"] }, text: '{"a":"\\u0078\\/"}', matches: true },
      { title: "dotted event key", pattern: { a: { b: ["x"] } }, text: '{"a.b":"x"}', matches: true },
      {
        title: "exponent number",
        pattern: { n: [{ numeric: ["=", 300] }] },
        text: '{"n":3E+2}',
        matches: true,
      },
      { title: "zero fraction", pattern: { n: [300] }, text: '{"n":300.000}', matches: true },
      { title: "numeric text", pattern: { n: [{ numeric: [">", 0] }] }, text: '{"n":"300"}', matches: false },
      { title: "null value", pattern: { a: [null] }, text: '{"a":null}', matches: true },
      { title: "missing is not null", pattern: { a: [null] }, text: '{"b":null}', matches: false },
      {
        title: "whitespace everywhere",
        pattern: { a: ["x"] },
        text: '\n\t{ "a" :\r\n "x" } \n',
        matches: true,
      },
      {
        title: "surrogate pair escape",
        pattern: { b: ["😀"] },
        text: '{"a":"é✓","b":"\\ud83d\\ude00"}',
        matches: true,
      },
      { title: "lone surrogate", pattern: { a: [{ exists: true }] }, text: '{"a":"\\ud800"}', matches: true },
      {
        title: "skipped array elements",
        pattern: { a: ["x"] },
        text: '{"a":[{"zz":1},7,[["x"]]]}',
        matches: true,
      },
      {
        title: "array consistency: same element",
        pattern: { items: { sku: ["A"], q: [2] } },
        text: '{"items":[{"sku":"A","q":1,"zz":[1]},{"sku":"B","q":2}]}',
        matches: false,
      },
      {
        title: "deep skipped value (full-parse fall-back)",
        pattern: { a: ["x"] },
        text: '{"zz":[[[[[[[[1]]]]]]]],"a":"x"}',
        matches: true,
      },
      {
        title: "__proto__ key is an ordinary key",
        pattern: { a: { b: ["x"] } },
        text: '{"__proto__":{"b":"y"},"a":{"__proto__":1,"b":"x"}}',
        matches: true,
      },
      {
        title: "exists false, value skipped",
        pattern: { c: [{ exists: false }] },
        text: '{"zz":{"c":1}}',
        matches: true,
      },
    ];
    for (const c of cases)
      it(c.title, function () {
        const m = compile([{ key: "k", pattern: c.pattern }]);
        const expected = m.match(JSON.parse(c.text));
        expect(expected).to.deep.equal(c.matches ? ["k"] : []);
        expect(m.matchText(c.text)).to.deep.equal(expected);
      });
  });

  describe("invalid JSON is rejected, in kept and in skipped parts", function () {
    const invalid = [
      '{"a":"x",}',
      '{"zz":[1,2,]}',
      '{"zz":{"q":1,}}',
      '{"zz":"tab\there"}',
      '{"zz":"bad \\x escape"}',
      '{"zz":"\\u12G4"}',
      '{"zz":"nul\u0000"}',
      '{"zz":01}',
      '{"zz":1.}',
      '{"zz":.5}',
      '{"zz":-}',
      '{"zz":1e}',
      '{"zz":+1}',
      '{"zz":tru}',
      '{"zz":True}',
      '{"zz":NaN}',
      '{"zz":{"q" 1}}',
      '{"zz":[1 2]}',
      "{\"zz\":{'q':1}}",
      '{"zz":"unterminated}',
      '{"zz":[}',
      '{"a":"x"} trailing',
      '{"a":"x"}}',
      '{"a":"x"',
      "{a:1}",
      '{"a":1 "b":2}',
      '{"zz":[[[[[[[[1]]]]]]]]]}',
      "",
      "  ",
      "\ufeff{}",
    ];
    const tables: Record<string, Matcher> = {
      "zz skipped": compile([{ key: "k", pattern: { a: ["x"] } }]),
      "zz kept": compile([
        { key: "k", pattern: { zz: [{ exists: true }], $or: [{ a: ["x"] }, { zz: { q: [1] } }] } },
      ]),
    };
    for (const [name, m] of Object.entries(tables))
      for (const text of invalid)
        it(`${name}: ${JSON.stringify(text)}`, function () {
          expect(() => JSON.parse(text)).to.throw(SyntaxError);
          expect(() => m.matchText(text)).to.throw(InvalidEventError, /not valid JSON/);
        });

    it("the scanner itself refuses them (it never hands partial garbage to the matcher)", function () {
      const scanner = new EventScanner(["a", "zz", "zz.q"]);
      for (const text of invalid) expect(scanner.scan(text), text).to.equal(undefined);
    });

    it("valid JSON that is not an object is an InvalidEventError, as with match (no second parse)", function () {
      const m = compile([{ key: "k", pattern: { a: ["x"] } }]);
      for (const text of ["[]", '"{\\"a\\":\\"x\\"}"', "1", "null"])
        expect(() => m.matchText(text), text).to.throw(InvalidEventError, /must be a JSON object/);
    });
  });

  describe("conformance corpus events give the same answers through matchText", function () {
    const corpus = loadCorpus();
    for (const c of [...corpus.cases, ...corpus.invalidEvents.items]) {
      const pattern = patternInput(c);
      if ("reason" in normalize(pattern)) continue;
      it(c.id, function () {
        const m = compile([{ key: c.id, pattern }]);
        const input = eventInput(c);
        const text = typeof input === "string" ? input : JSON.stringify(input);
        expect(outcome(() => m.matchText(text))).to.deep.equal(outcome(() => m.match(input)));
      });
    }
  });
});
