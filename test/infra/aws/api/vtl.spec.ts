import { expect } from "chai";
import { escapeJavaScript, jsonPath, renderGatewayResponse, renderTemplate } from "./vtl";

/** Renders `template` against a JSON body with the emulated API Gateway variables. */
function render(
  template: string,
  body: unknown = {},
  params?: Parameters<typeof renderTemplate>[1]["params"],
) {
  return renderTemplate(template, { body: typeof body === "string" ? body : JSON.stringify(body), params })
    .output;
}

describe("API Gateway template emulation (test/api/vtl.ts)", () => {
  describe("$util.escapeJavaScript", () => {
    it("matches Commons Lang's documented example: ' and \" are backslash-escaped", () => {
      expect(escapeJavaScript(`They didn't say, "Stop!"`)).to.equal(`They didn\\'t say, \\"Stop!\\"`);
    });

    const cases: [string, string, string][] = [
      // input, commons-lang, minimal
      ["back\\slash", "back\\\\slash", "back\\\\slash"],
      ["a/b", "a\\/b", "a/b"],
      ["t\tn\nr\rb\bf\f", "t\\tn\\nr\\rb\\bf\\f", "t\\tn\\nr\\rb\\bf\\f"],
      ["\u0000\u001f", "\\u0000\\u001F", "\\u0000\\u001F"],
      ["\u00e9\u4f1f", "\\u00E9\\u4F1F", "\u00e9\u4f1f"],
      ["\u{1F600}", "\\uD83D\\uDE00", "\u{1F600}"],
    ];
    for (const [input, commons, minimal] of cases) {
      it(`escapes ${JSON.stringify(input)}`, () => {
        expect(escapeJavaScript(input, "commons-lang")).to.equal(commons);
        expect(escapeJavaScript(input, "minimal")).to.equal(minimal);
      });
    }

    it("yields invalid JSON for an apostrophe unless the documented replaceAll fix is applied", () => {
      const body = { s: "it's" };
      const raw = render(`{"s":"$util.escapeJavaScript($input.path('$.s'))"}`, body);
      expect(() => JSON.parse(raw)).to.throw(SyntaxError);
      const fixed = render(
        `{"s":"$util.escapeJavaScript($input.path('$.s')).replaceAll("\\\\'","'")"}`,
        body,
      );
      expect(JSON.parse(fixed)).to.deep.equal(body);
    });
  });

  describe("Java String methods", () => {
    it("replaceAll takes a regex (Java), not a literal (JavaScript)", () => {
      expect(render(`#set($s = "a.b")$s.replaceAll(".", "x")`)).to.equal("xxx");
      expect(render(`#set($s = "a.b")$s.replace(".", "x")`)).to.equal("axb");
    });

    it("replaceAll replacements use $n for groups and \\ for literals", () => {
      expect(render(`#set($s = "k=v")$s.replaceAll("(\\w)=(\\w)", "$2=$1")`)).to.equal("v=k");
      expect(render(`#set($s = "cost")$s.replaceAll('cost', '\\$5')`)).to.equal("$5");
    });

    it("length() and isEmpty() work on strings", () => {
      expect(render(`#set($s = "abc")$s.length() $s.isEmpty()`)).to.equal("3 false");
    });
  });

  describe("$input", () => {
    const body = { a: { b: [1, { c: "it's" }] }, "detail-type": "x" };

    it("json() returns JSON text, path() the value", () => {
      expect(render(`$input.json('$.a.b')`, body)).to.equal(`[1,{"c":"it's"}]`);
      expect(render(`$input.json("$['detail-type']")`, body)).to.equal(`"x"`);
      expect(render(`$input.path('$.a.b[1].c')`, body)).to.equal("it's");
      expect(render(`$input.json('$')`, body)).to.equal(JSON.stringify(body));
    });

    it("body is the raw payload", () => {
      expect(render(`$input.body`, `{ "raw" : true }`)).to.equal(`{ "raw" : true }`);
    });

    it("params(name) searches path, then query string, then header", () => {
      const params = {
        path: { id: "p" },
        querystring: { id: "q", q: "q" },
        header: { id: "h", q: "h", h: "h" },
      };
      expect(render(`$input.params('id') $input.params('q') $input.params('h')`, {}, params)).to.equal(
        "p q h",
      );
      expect(render(`$input.params().header.h`, {}, params)).to.equal("h");
    });

    it("refuses JSONPath it does not emulate instead of guessing", () => {
      expect(() => jsonPath({}, "$..a")).to.throw(/unsupported JSONPath/);
      expect(() => jsonPath({}, "$.a[?(@.b)]")).to.throw(/unsupported JSONPath/);
    });
  });

  describe("$util and $context", () => {
    it("urlEncode is Java's form encoding; base64Encode is UTF-8 base64; parseJson parses", () => {
      expect(render(`$util.urlEncode("a b&c=d/\u00e9*~")`)).to.equal("a+b%26c%3Dd%2F%C3%A9*%7E");
      expect(render(`$util.urlDecode("a+b%26")`)).to.equal("a b&");
      expect(render(`$util.base64Encode("h\u00e9")`)).to.equal(Buffer.from("h\u00e9").toString("base64"));
      expect(render(`$util.base64Decode("aGk=")`)).to.equal("hi");
      expect(render(`#set($o = $util.parseJson('{"a":{"b":2}}'))$o.a.b`)).to.equal("2");
    });

    it("a template can override the response status and read the request id", () => {
      const { output, context } = renderTemplate(
        `#set($context.responseOverride.status = 418)$context.requestId`,
        {
          body: "{}",
          context: { requestId: "abc" },
        },
      );
      expect(output).to.equal("abc");
      expect(context.responseOverride.status).to.equal(418);
    });
  });

  describe("gateway response substitution", () => {
    it("substitutes variables only: directives and methods stay verbatim", () => {
      const out = renderGatewayResponse(`#set($x = 1) $util.escapeJavaScript("a") $context.error.message`, {
        message: "m",
        responseType: "DEFAULT_4XX",
      });
      expect(out).to.equal(`#set($x = 1) $util.escapeJavaScript("a") m`);
    });

    it("messageString is the quoted message; unknown variables are empty", () => {
      const out = renderGatewayResponse(`$context.error.messageString|$context.nope|$stageVariables.x`, {
        message: `say "hi"`,
        responseType: "DEFAULT_4XX",
      });
      expect(out).to.equal(`"say \\"hi\\""||`);
    });
  });
});
