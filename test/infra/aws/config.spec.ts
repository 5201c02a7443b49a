import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CONFIG_DEFAULTS,
  ConfigError,
  parseConfig,
  RETIRED_CONFIG_KEYS,
  type ConfigKey,
  type RetiredConfigKey,
} from "../../../infra/aws";

/** Parses `values` on top of nothing (defaults apply to missing keys). */
function parse(values: Partial<Record<ConfigKey | RetiredConfigKey, string>>) {
  return parseConfig((key) => values[key]);
}

describe("infra/config", () => {
  it("gives the documented defaults when nothing is set", () => {
    expect(parse({})).to.deep.equal({
      logRetentionDays: 14,
      throttle: { rateLimit: 100, burstLimit: 200 },
      archiveRetentionDays: 7,
      alarmEmail: undefined,
      auth: "apiKey",
      quota: { limit: 1000000, period: "DAY" },
      stageName: "v1",
      asyncRetryAttempts: 2,
      asyncMaxEventAgeSeconds: 3600,
      manageApiGatewayAccount: true,
    });
  });

  it("reads every key that is set", () => {
    const config = parse({
      logRetentionDays: "30",
      throttleRateLimit: "50",
      throttleBurstLimit: "75",
      archiveRetentionDays: "0",
      alarmEmail: "ops@example.com",
      auth: "iam",
      apiKeyQuotaLimit: "500",
      apiKeyQuotaPeriod: "MONTH",
      stageName: "prod",
      asyncRetryAttempts: "0",
      asyncMaxEventAgeSeconds: "60",
      manageApiGatewayAccount: "false",
    });
    expect(config).to.deep.equal({
      logRetentionDays: 30,
      throttle: { rateLimit: 50, burstLimit: 75 },
      archiveRetentionDays: 0,
      alarmEmail: "ops@example.com",
      auth: "iam",
      quota: { limit: 500, period: "MONTH" },
      stageName: "prod",
      asyncRetryAttempts: 0,
      asyncMaxEventAgeSeconds: 60,
      manageApiGatewayAccount: false,
    });
  });

  const unknown: { key: string; meant?: string }[] = [
    { key: "alarmEmial", meant: "alarmEmail" }, // two letters swapped
    { key: "logRetentionDay", meant: "logRetentionDays" }, // one dropped
    { key: "stagename", meant: "stageName" }, // another case
    { key: "throttleRateLimits", meant: "throttleRateLimit" }, // one added
    { key: "memorySize" }, // nothing near
  ];
  for (const c of unknown) {
    it(`refuses the unknown key ${c.key}${c.meant ? `, suggesting ${c.meant}` : ", listing the settings"}`, () => {
      const run = () => parseConfig(() => undefined, ["auth", c.key]);

      expect(run).to.throw(ConfigError, `config "${c.key}": not a setting of this project`);
      if (c.meant) expect(run).to.throw(`did you mean "${c.meant}"?`);
      else expect(run).to.throw(/its settings: logRetentionDays, .*manageApiGatewayAccount\)$/);
    });
  }

  it("takes every key it reads, and a retired one (refused with its replacement), as known", () => {
    expect(() => parseConfig(() => undefined, Object.keys(CONFIG_DEFAULTS))).to.not.throw();
    expect(() =>
      parseConfig((key) => (key === "apiKeyRequired" ? "true" : undefined), ["apiKeyRequired"]),
    ).to.throw('replaced by "auth"');
  });

  it("lists a default for every key it reads", () => {
    const read = new Set<string>();
    parseConfig((key) => {
      read.add(key);
      return undefined;
    });
    expect([...read].sort()).to.deep.equal(
      [...Object.keys(CONFIG_DEFAULTS), ...Object.keys(RETIRED_CONFIG_KEYS)].sort(),
    );
  });

  it("Pulumi.dev.yaml and the README's config table list every key with its default", () => {
    const root = join(__dirname, "..", "..", "..");
    const yaml = readFileSync(join(root, "Pulumi.dev.yaml"), "utf8");
    const listed = Object.fromEntries(
      [...yaml.matchAll(/^ {2}event-backbone:(\w+): "?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(listed).to.deep.equal(CONFIG_DEFAULTS);
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const table = readme.slice(
      readme.indexOf("### Config keys"),
      readme.indexOf("### Cost per million events"),
    );
    for (const key of Object.keys(CONFIG_DEFAULTS)) expect(table, key).to.contain(`\`${key}\``);
  });

  it("an API key quota of 0 means no quota", () => {
    expect(parse({ apiKeyQuotaLimit: "0" }).quota).to.equal(undefined);
  });

  it("rejects a key that is no longer read, saying what replaced it", () => {
    expect(() => parse({ apiKeyRequired: "false" })).to.throw(
      ConfigError,
      /"apiKeyRequired".*replaced by "auth"/,
    );
  });

  const bad: [ConfigKey, string][] = [
    ["logRetentionDays", "8"],
    ["logRetentionDays", "fourteen"],
    ["logRetentionDays", "14.5"],
    ["throttleRateLimit", "0"],
    ["throttleRateLimit", "-5"],
    ["throttleBurstLimit", "5001"],
    ["archiveRetentionDays", "-1"],
    ["alarmEmail", "not-an-address"],
    ["auth", "open"],
    ["auth", "APIKEY"],
    ["apiKeyQuotaLimit", "-1"],
    ["apiKeyQuotaPeriod", "YEAR"],
    ["stageName", "my stage"],
    ["asyncRetryAttempts", "3"],
    ["asyncMaxEventAgeSeconds", "59"],
    ["asyncMaxEventAgeSeconds", "21601"],
    ["manageApiGatewayAccount", "1"],
  ];
  for (const [key, value] of bad) {
    it(`rejects ${key}=${JSON.stringify(value)} with an error naming the key`, () => {
      const attempt = () => parse({ [key]: value });
      expect(attempt).to.throw(ConfigError, `config "${key}"`);
      try {
        attempt();
      } catch (err) {
        expect((err as ConfigError).key).to.equal(key);
      }
    });
  }

  it("says which stageName rule a bad one breaks: its length (1-128) or its characters", () => {
    expect(() => parse({ stageName: "a".repeat(129) })).to.throw(
      'config "stageName": expected 1 to 128 characters, got 129',
    );
    expect(() => parse({ stageName: "" })).to.throw("expected 1 to 128 characters, got 0");
    expect(() => parse({ stageName: "a".repeat(128) })).to.not.throw();
    expect(() => parse({ stageName: "v 1" })).to.throw('use letters, digits, "-" and "_" only');
  });
});
