/** Error messages (what is wrong and where), limits, and bad input: clear errors, never a crash or a hang. */
import { expect } from "chai";
import {
  check,
  compile,
  InvalidEventError,
  InvalidEventPatternError,
  matches,
  MAX_OR_COMBINATIONS,
  MAX_PATTERN_CHARS,
  validate,
} from "../../../infra/pattern";

/** A pattern nested `depth` objects deep with a leaf at the bottom. */
function nested(depth: number): Record<string, unknown> {
  let p: Record<string, unknown> = { leaf: ["x"] };
  for (let i = 0; i < depth; i++) p = { k: p };
  return p;
}

/** `count` sibling objects each holding an `$or` of `width` alternatives: width^count combinations. */
function siblingOrs(width: number, count: number): Record<string, unknown> {
  const alternatives = Array.from({ length: width }, (_, i) => ({ [`k${i}`]: [i] }));
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, { $or: alternatives }]));
}

describe("pattern validation messages", function () {
  const cases: { pattern: unknown; reason: RegExp; field?: string }[] = [
    {
      pattern: { detail: { state: [{ prefix: 1 }] } },
      reason: /prefix match pattern must be a string/,
      field: "detail.state",
    },
    {
      pattern: { detail: { n: [{ numeric: [">", 0, "<"] }] } },
      reason: /Value of < must be numeric/,
      field: "detail.n",
    },
    {
      pattern: { detail: { n: [{ numeric: [">", 5, "<", 1] }] } },
      reason: /Bottom must be less than top/,
      field: "detail.n",
    },
    {
      pattern: { source: "backbone.api" },
      reason: /"source" must be an object or an array/,
      field: "source",
    },
    { pattern: { resources: [] }, reason: /Empty arrays are not allowed/, field: "resources" },
    { pattern: { detail: {} }, reason: /Empty objects are not allowed/, field: "detail" },
    { pattern: { ip: [{ cidr: "10.0.0.0" }] }, reason: /one '\/' required/, field: "ip" },
    {
      pattern: { ip: [{ cidr: "10.0.300.0/8" }] },
      reason: /Nonstandard IP address: 10.0.300.0/,
      field: "ip",
    },
    { pattern: { k: [{ EXISTS: true }] }, reason: /Unrecognized match type EXISTS/, field: "k" },
    { pattern: { k: [{ wildcard: "a**b" }] }, reason: /Consecutive wildcard characters/, field: "k" },
    { pattern: { k: [{ wildcard: "a\\d" }] }, reason: /Invalid escape character/, field: "k" },
    {
      pattern: { arn: [{ wildcard: "*:*:*:*:*:event-bus/*" }] },
      reason: /Rule is too complex/,
      field: "arn",
    },
    {
      pattern: { k: [{ "anything-but": ["a", null] }] },
      reason: /start\|null\|boolean is not supported/,
      field: "k",
    },
    {
      pattern: { $or: [{ a: ["x"] }] },
      reason: /\$or must be an array of at least two objects/,
      field: "$or",
    },
    { pattern: ["not", "an", "object"], reason: /Filter is not an object/ },
    { pattern: "{'bad': 1}", reason: /was expecting double-quote to start field name/ },
    { pattern: "this is not json", reason: /Unrecognized token 'this'/ },
    { pattern: '{"x": [{"numeric": ["=", 1E309]}]}', reason: /out of range/ },
  ];
  for (const c of cases)
    it(`rejects ${typeof c.pattern === "string" ? c.pattern : JSON.stringify(c.pattern)}`, function () {
      const reason = check(c.pattern);
      expect(reason).to.match(c.reason);
      if (c.field) expect(reason).to.include(`"${c.field}"`);
    });

  it("validate throws a typed error carrying the reason", function () {
    expect(() => validate({ a: 1 })).to.throw(InvalidEventPatternError, /"a" must be an object or an array/);
    expect(() => validate({ a: [1] })).to.not.throw();
  });

  it("compile names the offending row", function () {
    expect(() =>
      compile([
        { key: "ok", pattern: { a: ["x"] } },
        { key: "orders-bad", pattern: { a: [{ prefix: 2 }] } },
      ]),
    )
      .to.throw(InvalidEventPatternError)
      .with.property("message")
      .that.matches(/^Route "orders-bad": prefix match pattern must be a string/);
  });

  it("last duplicate key wins in pattern text", function () {
    expect(matches('{"x": ["y"], "x": ["z"]}', { x: "z" })).to.equal(true);
    expect(matches('{"x": ["y"], "x": ["z"]}', { x: "y" })).to.equal(false);
  });
});

describe("pattern limits", function () {
  it(`accepts ${MAX_PATTERN_CHARS} characters and rejects one more`, function () {
    const atLimit = (n: number) => `{"k": ["${"x".repeat(n - 11)}"]}`;
    expect(atLimit(MAX_PATTERN_CHARS)).to.have.length(MAX_PATTERN_CHARS);
    expect(check(atLimit(MAX_PATTERN_CHARS))).to.equal(undefined);
    expect(check(atLimit(MAX_PATTERN_CHARS + 1))).to.match(/limit is 2048/);
  });

  it(`accepts ${MAX_OR_COMBINATIONS} $or combinations and rejects more`, function () {
    expect(check(siblingOrs(10, 3))).to.equal(undefined);
    expect(check(siblingOrs(6, 4))).to.match(/Too many \$or combinations/);
  });

  it("accepts realistic wildcards", function () {
    for (const w of [
      "arn:aws:events:us-east-1:*:event-bus/*",
      "/Users/*/dir/dir/dir/dir/dir/doc.txt",
      "a*b*c",
      "*",
    ])
      expect(check({ k: [{ wildcard: w }] }), w).to.equal(undefined);
  });
});

describe("bad input never crashes", function () {
  const matcher = compile([{ key: "r", pattern: { a: [{ exists: true }] } }]);

  for (const [name, event] of [
    ["a number", 42],
    ["null", null],
    ["an array", [{ a: 1 }]],
    ["invalid JSON text", '{"a": '],
    ["JSON text of a string", '"plain string"'],
  ] as const)
    it(`match() rejects ${name} with InvalidEventError`, function () {
      expect(() => matcher.match(event)).to.throw(InvalidEventError);
    });

  it("rejects an event nested far too deep on a matched path", function () {
    const deep = `{"a": ${"[".repeat(5000)}1${"]".repeat(5000)}}`;
    expect(() => matcher.match(deep)).to.throw(InvalidEventError, /nested deeper/);
  });

  it("reports deep, cyclic and deeply nested text patterns instead of throwing", function () {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(check(cyclic)).to.be.a("string");
    expect(check(nested(5000))).to.be.a("string");
    expect(check("[".repeat(1000))).to.be.a("string");
    expect(check(`{"a":${"[".repeat(300)}`)).to.be.a("string");
  });

  describe("array-consistent matching on adversarial arrays (search pruned, answers exact)", function () {
    const n = 100;
    const objects = (key: string, skip = -1) =>
      Array.from({ length: n }, (_, i) => (i === skip ? { x: 1 } : { x: 1, [key]: 1 }));
    const event = {
      a: objects("q", n - 1),
      b: objects("y"),
      c: objects("z"),
      d: objects("w"),
      e: objects("q"),
    };
    const cases: [string, Record<string, unknown>, boolean][] = [
      [
        "absent field present in an unrelated array",
        { b: { y: [1] }, c: { z: [1] }, d: { w: [1] }, e: { q: [{ exists: false }] } },
        false,
      ],
      [
        "absent only in the last element (anchored)",
        { a: { x: [1], q: [{ exists: false }] }, b: { y: [1] }, c: { z: [1] }, d: { w: [1] } },
        true,
      ],
      [
        "absent only in the last element (not anchored)",
        {
          a: { x: [{ numeric: [">", 0] }], q: [{ exists: false }] },
          b: { y: [1] },
          c: { z: [1] },
          d: { w: [1] },
        },
        true,
      ],
    ];
    for (const [name, pattern, expected] of cases)
      it(name, function () {
        expect(matches(pattern, event)).to.equal(expected);
      });
  });

  it("matches wildcards on long adversarial values without backtracking blow-up", function () {
    // A backtracking regex needs polynomial time of high degree here; the segment matcher is linear-ish.
    const value = "ab".repeat(100_000);
    expect(matches({ k: [{ wildcard: "*ab*ab*ab*c" }] }, { k: value })).to.equal(false);
    expect(matches({ k: [{ wildcard: "*ab*ab*ab*b" }] }, { k: value })).to.equal(true);
  });
});

describe("number semantics", function () {
  it("compares numbers numerically, as AWS does (300.0 matches [300])", function () {
    expect(matches({ n: [300] }, '{"n": 300.0}')).to.equal(true);
    expect(matches({ n: [300] }, '{"n": 3.0e2}')).to.equal(true);
  });

  it("never lets a string match a numeric filter or a number match a string value", function () {
    expect(matches({ n: [{ numeric: [">", 1] }] }, { n: "300" })).to.equal(false);
    expect(matches({ n: ["300"] }, { n: 300 })).to.equal(false);
    expect(matches({ n: [300] }, { n: "300" })).to.equal(false);
  });
});
