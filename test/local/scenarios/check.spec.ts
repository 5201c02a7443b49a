/**
 * The contract checks of the scenario runner on hand-made answers: each broken answer must be caught with a
 * readable reason, each correct one must pass. Independent of any server.
 */
import { expect } from "chai";
import { formatTable, parseArgs, runScenarios, type Scenario } from "../../../local/scenarios";
import { freePort } from "../helpers";
import { checkAnswer, subsetDiff, type Answer } from "../../../local/scenarios";

const accepted: Scenario = { name: "accepted", request: { body: {} }, expect: { status: 202 } };
const rejected: Scenario = {
  name: "rejected",
  request: { body: {} },
  expect: { status: 400, error: "BadRequestBody", messageIncludes: ["amount"] },
};

const json = (status: number, body: unknown, extra: Partial<Answer> = {}): Answer => ({
  status,
  contentType: "application/json; charset=utf-8",
  retryAfter: null,
  text: JSON.stringify(body),
  ...extra,
});

const cases: { what: string; scenario: Scenario; answer: Answer; failure?: RegExp }[] = [
  { what: "a 202 with an eventId", scenario: accepted, answer: json(202, { eventId: "e-1" }) },
  {
    what: "a 400 naming the key",
    scenario: rejected,
    answer: json(400, { error: "BadRequestBody", message: "detail.amount must be a number" }),
  },
  {
    what: "a 200 instead of 202",
    scenario: accepted,
    answer: json(200, { eventId: "e-1" }),
    failure: /status 200, expected 202/,
  },
  {
    what: "a 202 without eventId",
    scenario: accepted,
    answer: json(202, { id: "e-1" }),
    failure: /exactly \{"eventId"\}.*eventId is not a non-empty string/s,
  },
  {
    what: "a 202 leaking PutEvents' answer",
    scenario: accepted,
    answer: json(202, { eventId: "e-1", FailedEntryCount: 0 }),
    failure: /got keys \[eventId, FailedEntryCount\]/,
  },
  {
    what: "a non-JSON body",
    scenario: accepted,
    answer: { status: 202, contentType: "text/plain", retryAfter: null, text: "ok" },
    failure: /content-type "text\/plain".*body is not JSON/s,
  },
  {
    what: "a 5xx for bad input",
    scenario: rejected,
    answer: json(500, { error: "PutEventsFailed", message: "boom", code: "InternalFailure" }),
    failure: /5xx for a request that must be answered 2xx\/4xx/,
  },
  {
    what: "an error name outside the contract",
    scenario: rejected,
    answer: json(400, { error: "ValidationError", message: "amount" }),
    failure: /"ValidationError" is not one of the contract's error names/,
  },
  {
    what: "an error name with the wrong status",
    scenario: rejected,
    answer: json(400, { error: "UnsupportedMediaType", message: "amount" }),
    failure: /"UnsupportedMediaType" must come with 415, not 400/,
  },
  {
    what: "a message that does not name the key",
    scenario: rejected,
    answer: json(400, { error: "BadRequestBody", message: "invalid request" }),
    failure: /does not name "amount"/,
  },
  {
    what: "a 429 without Retry-After",
    scenario: { ...accepted, expect: { status: 429 } },
    answer: json(429, { error: "TooManyRequests", message: "slow down" }),
    failure: /429 without Retry-After/,
  },
  {
    what: "a PutEventsFailed without code",
    scenario: { ...accepted, expect: { status: 500 } },
    answer: json(500, { error: "PutEventsFailed", message: "entry failed" }),
    failure: /PutEventsFailed without code/,
  },
];

describe("scenario runner: contract checks", () => {
  for (const { what, scenario, answer, failure } of cases) {
    it(failure ? `catches ${what}` : `accepts ${what}`, () => {
      const { failures } = checkAnswer(scenario, answer);

      if (failure) expect(failures.join("\n")).to.match(failure);
      else expect(failures).to.deep.equal([]);
    });
  }

  it("holds a deployed API to the status and error name, not to its validator's wording", () => {
    const scenario = rejected;
    const answer = json(400, {
      error: "BadRequestBody",
      message: "[instance failed to match exactly one schema]",
    });

    expect(checkAnswer(scenario, answer, true).failures.join("\n")).to.match(/does not name "amount"/);
    expect(checkAnswer(scenario, answer, false).failures).to.deep.equal([]);
  });

  it("compares results as deep subsets", () => {
    expect(
      subsetDiff(
        { team: "senior", sla: { targetHours: 4 } },
        { team: "senior", sla: { targetHours: 4, x: 1 } },
      ),
    ).to.deep.equal([]);
    expect(subsetDiff({ team: "senior" }, { team: "finance" })).to.deep.equal([
      '$.team: expected "senior", got "finance"',
    ]);
    expect(subsetDiff({ items: ["a"] }, { items: ["a", "b"] })).to.have.length(1);
    expect(subsetDiff({ a: { b: 1 } }, { a: null })).to.deep.equal(["$.a: expected an object, got null"]);
  });

  it("parses --url and --api-key and rejects anything else", () => {
    const api = "https://x.execute-api.ap-southeast-2.amazonaws.com/dev/events";
    expect(parseArgs(["--url", api, "--api-key", "k1"], {})).to.deep.equal({ url: api, apiKey: "k1" });
    expect(parseArgs(["--url=http://127.0.0.1:3001/events"], {})).to.deep.equal({
      url: "http://127.0.0.1:3001/events",
      apiKey: undefined,
    });
    expect(parseArgs([], { BACKBONE_API_KEY: "k2" })).to.deep.equal({
      url: "http://127.0.0.1:3000/events",
      apiKey: "k2",
    });
    expect(() => parseArgs(["--bogus"], {})).to.throw(/unknown argument "--bogus"/);
    expect(() => parseArgs(["--url"], {})).to.throw(/--url needs a value/);
    expect(() => parseArgs(["--url", "not a url"], {})).to.throw();
    // The server's root is EventBridge's API: every scenario would fail with its errors instead.
    expect(() => parseArgs(["--url", "http://127.0.0.1:3000"], {})).to.throw(
      /POST \/events URL .*did you mean http:\/\/127\.0\.0\.1:3000\/events\?/,
    );
  });

  it("stops at the first scenario when nothing answers at the URL, with one error saying so", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/events`;

    const error = await runScenarios({ url, local: false }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );

    expect(error?.message).to.match(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+\/events: request failed: .*ECONNREFUSED/,
    );
    expect(error?.message).to.contain("(is the stack running? npm start)");
  });

  it("prints a pass/fail table with the failures under it", () => {
    const text = formatTable([
      { name: "order", ok: true, status: 202, outcomeChecked: true, failures: [], ms: 12 },
      {
        name: "bad json",
        ok: false,
        status: 500,
        outcomeChecked: false,
        failures: ["status 500, expected 400"],
        ms: 3,
      },
    ]);

    expect(text).to.match(/PASS\s+202\s+checked\s+12\s+order/);
    expect(text).to.match(/FAIL\s+500\s+-\s+3\s+bad json/);
    expect(text).to.include("1/2 passed");
    expect(text).to.include("  - status 500, expected 400");
  });
});
