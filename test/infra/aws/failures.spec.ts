import { expect } from "chai";
import { programFor } from "./harness/program";

/** Runs that must fail at preview, before any AWS resource is declared, naming what is wrong. */
const cases: { title: string; options: Parameters<typeof programFor>[0]; mentions: string[] }[] = [
  {
    title: "a log retention CloudWatch does not accept",
    options: { config: { logRetentionDays: "8" } },
    mentions: ['config "logRetentionDays"'],
  },
  {
    title: "a non-numeric throttle",
    options: { config: { throttleRateLimit: "fast" } },
    mentions: ['config "throttleRateLimit"'],
  },
  {
    title: "an invalid alarm e-mail",
    options: { config: { alarmEmail: "nobody" } },
    mentions: ['config "alarmEmail"'],
  },
  {
    title: "a config key that is no longer read",
    options: { config: { apiKeyRequired: "true" } },
    mentions: ['config "apiKeyRequired"', 'replaced by "auth"'],
  },
  {
    title: "a misspelt config key (it would leave its setting at the default)",
    options: { config: { alarmEmial: "ops@example.com" } },
    mentions: ['config "alarmEmial"', 'did you mean "alarmEmail"?'],
  },
  {
    title: "an auth mode that does not exist",
    options: { config: { auth: "open" } },
    mentions: ['config "auth"', "apiKey, iam, none"],
  },
  {
    title: "a region names cannot be derived from",
    options: { config: { "aws:region": "moon-base" } },
    mentions: ['stack "dev" of project "event-backbone"', 'region "moon-base"'],
  },
  {
    title: "a row whose pattern EventBridge rejects",
    options: { table: "test/infra/aws/fixtures/table-bad-pattern.ts" },
    mentions: ['route "broken-pattern"', "EventBridge would reject the pattern"],
  },
];

describe("cloud stack: bad input fails the preview", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  for (const c of cases) {
    it(`fails on ${c.title}, naming it`, async () => {
      const program = await programFor(c.options);
      expect(program.error, "the run should fail").to.not.equal(undefined);
      expect(program.error!.resourceError, program.error!.message).to.equal(true);
      for (const text of c.mentions) expect(program.error!.message).to.contain(text);
      expect(program.resources.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
    });
  }
});
