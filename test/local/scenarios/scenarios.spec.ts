/**
 * `npm run scenarios` against the local stack, in-process on a free port with a temporary database: every
 * scenario of the product description passes, outcomes included, and a wrong expectation is reported as a
 * failure (otherwise a passing run would prove nothing). Accepted events go through the typed producer client.
 */
import { expect } from "chai";
import { runScenarios, scenarios, type Scenario } from "../../../local/scenarios";
import { startLocal, type Running } from "../helpers";

/** A copy of the named scenario with `change` applied to it. */
function mutated(name: string, change: (s: Scenario) => void): Scenario {
  const original = scenarios.find((s) => s.name === name);
  if (!original) throw new Error(`no scenario named "${name}"`);
  const copy = structuredClone(original) as Scenario;
  change(copy);
  return copy;
}

const ORDER = "e-commerce order (product description curl)";
const HIGH_TICKET = "high-priority support ticket (product description curl)";
const BILLING_TICKET = "billing support ticket";
const PURCHASE = "analytics purchase (product description curl)";
const UNKNOWN_TYPE = "invalid: unknown detail-type";

/** Wrong expectations and the failure each must produce. */
const wrongExpectations: { what: string; scenario: Scenario; failure: RegExp }[] = [
  {
    what: "a valid order expected to be rejected",
    scenario: mutated(ORDER, (s) => (s.expect.status = 400)),
    failure: /status 202, expected 400/,
  },
  {
    what: "the billing ticket expected at the general team",
    scenario: mutated(
      BILLING_TICKET,
      (s) => (s.expect.outcome!.routes["support-ticket"].result = { team: "general" }),
    ),
    failure: /route support-ticket result\.team: expected "general", got "finance"/,
  },
  {
    what: "the billing ticket expected to be escalated too",
    scenario: mutated(
      BILLING_TICKET,
      (s) => (s.expect.outcome!.routes["support-escalation"] = { status: "done" }),
    ),
    failure: /matched routes \[support-ticket\], expected \[support-escalation, support-ticket\]/,
  },
  {
    what: "the high ticket without its escalation route",
    scenario: mutated(HIGH_TICKET, (s) => delete s.expect.outcome!.routes["support-escalation"]),
    failure: /matched routes \[support-escalation, support-ticket\], expected \[support-ticket\]/,
  },
  {
    what: "the order expected to emit a welcome notification",
    scenario: mutated(ORDER, (s) => (s.expect.outcome!.emits![0].detail = { template: "welcome" })),
    failure: /emitted notification-sent from backbone\.order: no such event/,
  },
  {
    what: "a purchase expected not to convert",
    scenario: mutated(
      PURCHASE,
      (s) => (s.expect.outcome!.routes["analytics-event"].result = { conversion: { isConversion: false } }),
    ),
    failure: /route analytics-event result\.conversion\.isConversion: expected false, got true/,
  },
  {
    what: "an unknown detail-type expected with another error name",
    scenario: mutated(UNKNOWN_TYPE, (s) => (s.expect.error = "PayloadTooLarge")),
    failure: /error "BadRequestBody", expected "PayloadTooLarge"/,
  },
  {
    what: "an error message expected to name a key it does not name",
    scenario: mutated(UNKNOWN_TYPE, (s) => (s.expect.messageIncludes = ["no-such-key"])),
    failure: /does not name "no-such-key"/,
  },
];

describe("business scenarios against the local stack (npm run scenarios)", () => {
  let server: Running;
  let url: string;

  before(async () => {
    server = await startLocal();
    url = `${server.url}/events`;
  });

  after(async () => {
    await server?.stop();
  });

  it("passes every scenario of the product description, processing outcomes included", async () => {
    const results = await runScenarios({ url });

    expect(results.filter((r) => !r.ok).map((r) => ({ name: r.name, failures: r.failures }))).to.deep.equal(
      [],
    );
    expect(results.map((r) => r.name)).to.deep.equal(scenarios.map((s) => s.name));
    const withOutcome = scenarios.filter((s) => s.expect.outcome).map((s) => s.name);
    expect(results.filter((r) => r.outcomeChecked).map((r) => r.name)).to.deep.equal(withOutcome);
  });

  it("covers the product description's events and invalid requests", () => {
    const accepted = new Set(
      scenarios
        .filter((s) => s.expect.status === 202)
        .map((s) => (s.request.body as Record<string, unknown>)["detail-type"]),
    );
    expect([...accepted].sort()).to.deep.equal([
      "analytics-event",
      "notification-sent",
      "order-created",
      "support-ticket",
      "user-registered",
    ]);
    expect(scenarios.filter((s) => s.expect.status >= 400).map((s) => s.expect.status)).to.include.members([
      400, 415,
    ]);
  });

  for (const { what, scenario, failure } of wrongExpectations) {
    it(`reports a wrong expectation as a failure: ${what}`, async () => {
      const [result] = await runScenarios({ url, scenarios: [scenario], settleTimeoutMs: 5000 });

      expect(result.ok, "a wrong expectation passed").to.equal(false);
      expect(result.failures.join("\n")).to.match(failure);
    });
  }

  it("sends an accepted event through the typed client, whose schema check refuses a bad one before sending", async () => {
    const bad = mutated(ORDER, (s) => {
      (s.request.body as { detail: Record<string, unknown> }).detail.amount = "a lot";
    });
    const before = server.local.store.countEvents();

    const [result] = await runScenarios({ url, scenarios: [bad], settleTimeoutMs: 1000 });

    // Sent as written, the server would have answered 400 and the failure would be the status.
    expect(result.ok).to.equal(false);
    expect(result.failures.join("\n")).to.match(/^request failed: order-created: .*amount/);
    expect(result.status, "nothing was sent").to.equal(undefined);
    expect(server.local.store.countEvents()).to.equal(before);
  });

  it("checks only the HTTP contract when the target is not the local stack", async () => {
    const results = await runScenarios({ url, local: false });

    expect(results.every((r) => r.ok && !r.outcomeChecked)).to.equal(true);
  });
});
