import { expect } from "chai";
import { CONFIG_DEFAULTS, ConfigError, parseConfig, type ConfigKey } from "../../../infra/aws";

/** Parses `values` on top of nothing (defaults apply to missing keys). */
function parse(values: Partial<Record<ConfigKey, string>>) {
  return parseConfig((key) => values[key]);
}

describe("infra/config", () => {
  it("gives the documented defaults when nothing is set", () => {
    expect(parse({})).to.deep.equal({
      logRetentionDays: 14,
      throttle: { rateLimit: 100, burstLimit: 200 },
      archiveRetentionDays: 7,
      alarmEmail: undefined,
      apiKeyRequired: false,
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
      apiKeyRequired: "true",
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
      apiKeyRequired: true,
      stageName: "prod",
      asyncRetryAttempts: 0,
      asyncMaxEventAgeSeconds: 60,
      manageApiGatewayAccount: false,
    });
  });

  it("lists a default for every key it reads", () => {
    const read = new Set<string>();
    parseConfig((key) => {
      read.add(key);
      return undefined;
    });
    expect([...read].sort()).to.deep.equal(Object.keys(CONFIG_DEFAULTS).sort());
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
    ["apiKeyRequired", "yes"],
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
});
