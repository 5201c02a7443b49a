/**
 * The edge's one JSON reader (`local/eventbridge/json.ts`): what it keeps exactly, what it refuses, and that its
 * refusals name where.
 */
import { expect } from "chai";
import {
  decodeUtf8,
  JsonError,
  keepsExactly,
  MAX_JSON_DEPTH,
  parseJson,
} from "../../../local/eventbridge/json";

const nested = (levels: number, inner = "1") => "[".repeat(levels) + inner + "]".repeat(levels);

describe("local stack: the edge's JSON reader", function () {
  const numbers: [token: string, exact: boolean][] = [
    ["0", true],
    ["-1", true],
    ["99.99", true],
    ["0.1", true],
    ["1.0", true],
    ["1e2", true],
    ["100e-2", true],
    ["5e-324", true],
    ["9007199254740992", true],
    ["1234567890123456", true],
    ["0.30000000000000004", true],
    ["-0", false],
    ["-0.0", false],
    ["1e400", false],
    ["-1e400", false],
    ["1e-400", false],
    ["9007199254740993", false],
    ["12345678901234567890", false],
    ["0.3000000000000000444", false],
  ];
  for (const [token, exact] of numbers) {
    it(`${exact ? "keeps" : "refuses"} the number ${token}`, () => {
      expect(keepsExactly(token)).to.equal(exact);
      const read = () => parseJson(`{"n": ${token}}`);
      if (exact) expect(read()).to.deep.equal({ n: Number(token) });
      else
        expect(read).to.throw(
          JsonError,
          new RegExp(`^body\\.n is ${token.replace(/[.+-]/g, "\\$&")}, which`),
        );
    });
  }

  const refused: [name: string, text: string, message: RegExp][] = [
    ["a number deep inside, by its path", '{"a":{"b":[0,{"c":1e999}]}}', /^body\.a\.b\[1\]\.c is 1e999/],
    ["a number under an escaped key", '{"k\\"ey":[12345678901234567890]}', /^body\["k\\"ey"\]\[0\] is/],
    [
      "nesting beyond the limit",
      nested(MAX_JSON_DEPTH + 1),
      /^body\[0\].* is nested deeper than 1000 levels/,
    ],
    [
      "10,000 levels",
      `{"detail":${nested(10_000)}}`,
      /^body\.detail\[0\].* is nested deeper than 1000 levels/,
    ],
    ["a __proto__ key", '{"a":{"__proto__":{"admin":true}}}', /^body\.a\.__proto__ is not allowed/],
    ["an escaped __proto__ key", '{"\\u005f_proto__":{}}', /^body\.__proto__ is not allowed/],
    [
      "constructor.prototype",
      '{"constructor":{"prototype":{"x":1}}}',
      /^body\.constructor\.prototype is not allowed/,
    ],
    [
      "constructor.prototype in an array",
      '[{"constructor":{"prototype":1}}]',
      /^body\[0\]\.constructor\.prototype/,
    ],
    ["malformed JSON", '{"a": ', /^body is not valid JSON/],
  ];
  for (const [name, text, message] of refused) {
    it(`refuses ${name}, naming where`, () => {
      expect(() => parseJson(text)).to.throw(JsonError, message);
    });
  }

  it("reads nesting at the limit, a constructor that is no prototype holder and escaped text", () => {
    expect(parseJson(nested(MAX_JSON_DEPTH))).to.be.an("array");
    expect(parseJson('{"constructor":"Object","x":"__proto__","y":"\\u005f"}')).to.deep.equal({
      constructor: "Object",
      x: "__proto__",
      y: "_",
    });
    expect(parseJson('{"s":"a \\" ] } [ { 1e400"}')).to.deep.equal({ s: 'a " ] } [ { 1e400' });
  });

  it("names the text it reads in its messages", () => {
    expect(() => parseJson('{"a":-0}', "Detail")).to.throw(/^Detail\.a is -0/);
  });

  it("decodes UTF-8, drops a byte order mark and refuses invalid bytes rather than replacing them", () => {
    expect(decodeUtf8(Buffer.from('{"name":"Zoë"}'))).to.equal('{"name":"Zoë"}');
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).to.equal("{}");
    for (const bytes of [
      [0x7b, 0xff, 0x7d],
      [0x22, 0xc3, 0x22],
      [0xed, 0xa0, 0x80],
    ]) {
      expect(() => decodeUtf8(Buffer.from(bytes))).to.throw(JsonError, /not valid UTF-8/);
    }
  });
});
