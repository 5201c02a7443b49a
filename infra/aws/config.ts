/**
 * The project's settings, read once from Pulumi config with defaults. `parseConfig` is pure so it can be unit
 * tested; `loadConfig` turns its errors into `pulumi.ResourceError`, which fails `pulumi preview` with the key.
 */
import * as pulumi from "@pulumi/pulumi";
import { oneEditApart } from "../table";

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy rejects anything else). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Who may call `POST /events`: an API key (default), SigV4-signed IAM principals, or anyone (explicit). */
export const AUTH_MODES = ["apiKey", "iam", "none"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Periods an API Gateway usage plan quota counts over. */
export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** Typed, validated project settings. */
export interface BackboneConfig {
  /** Retention of every log group (Lambda and API access logs); one of `LOG_RETENTION_DAYS`. */
  readonly logRetentionDays: number;
  /** Stage-wide API throttling: steady-state requests per second and burst bucket size. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Days the bus archive keeps events for replay; 0 keeps them indefinitely. */
  readonly archiveRetentionDays: number;
  /** E-mail subscribed to the alarm topic; undefined means no subscription. */
  readonly alarmEmail?: string;
  /**
   * Who may call `POST /events`. `apiKey`: `x-api-key` with the key this stack creates, under a usage plan
   * (throttle and quota); `iam`: SigV4-signed requests of principals allowed `execute-api:Invoke`; `none`: anyone.
   */
  readonly auth: AuthMode;
  /** The usage plan's quota (`auth` = `apiKey`): requests per period; undefined means no quota. */
  readonly quota?: { readonly limit: number; readonly period: QuotaPeriod };
  /** API Gateway stage name (part of the URL). */
  readonly stageName: string;
  /** Retries of Lambda's own async invocation when the handler throws (0–2). */
  readonly asyncRetryAttempts: number;
  /** How long Lambda keeps retrying a failing async event before the on-failure queue (60–21600 s). */
  readonly asyncMaxEventAgeSeconds: number;
  /**
   * Set the regional API Gateway account setting (the CloudWatch role stage logging needs) from this stack. It
   * is one per account and region, shared by every API there, so the setting and its role are kept on
   * `pulumi destroy` (`retainOnDelete`). Turn it off when another stack or the account's owners manage it.
   */
  readonly manageApiGatewayAccount: boolean;
}

/** The project's config keys with their defaults (`Pulumi.dev.yaml` lists the same). */
export const CONFIG_DEFAULTS = {
  logRetentionDays: "14",
  throttleRateLimit: "100",
  throttleBurstLimit: "200",
  archiveRetentionDays: "7",
  alarmEmail: "",
  auth: "apiKey",
  apiKeyQuotaLimit: "1000000",
  apiKeyQuotaPeriod: "DAY",
  stageName: "v1",
  asyncRetryAttempts: "2",
  asyncMaxEventAgeSeconds: "3600",
  manageApiGatewayAccount: "true",
} as const;

/** The keys this project reads. */
export type ConfigKey = keyof typeof CONFIG_DEFAULTS;

/** Keys earlier versions read: a stack that still sets one fails, saying what replaced it. */
export const RETIRED_CONFIG_KEYS = {
  apiKeyRequired: 'replaced by "auth" (apiKey, the default, iam or none)',
} as const;

/** A key that is no longer read. */
export type RetiredConfigKey = keyof typeof RETIRED_CONFIG_KEYS;

/** A config value that would make the stack invalid. `key` is the offending config key. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    /** A key this project reads, one it no longer reads, or one it never did (a typo). */
    readonly key: string,
    message: string,
  ) {
    super(`config "${key}": ${message}`);
  }
}

/**
 * Validates raw string settings (as Pulumi stores them) into a `BackboneConfig`.
 * @param get returns the raw value of a key, or undefined when it is not set.
 * @param setKeys every key set in the project's namespace: one the project does not read is refused, since a
 * misspelt key would otherwise leave its setting at the default without a word (`alarmEmial`: no alarm mail).
 */
export function parseConfig(
  get: (key: ConfigKey | RetiredConfigKey) => string | undefined,
  setKeys: readonly string[] = [],
): BackboneConfig {
  for (const key of setKeys) {
    if (Object.hasOwn(CONFIG_DEFAULTS, key) || Object.hasOwn(RETIRED_CONFIG_KEYS, key)) continue;
    const known = Object.keys(CONFIG_DEFAULTS);
    const meant =
      known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => oneEditApart(key, k));
    throw new ConfigError(
      key,
      `not a setting of this project${meant ? `; did you mean "${meant}"?` : ""} (its settings: ${known.join(", ")})`,
    );
  }
  for (const [key, replacement] of Object.entries(RETIRED_CONFIG_KEYS) as [RetiredConfigKey, string][]) {
    if (get(key) !== undefined) throw new ConfigError(key, `no longer read: ${replacement}`);
  }
  const raw = (key: ConfigKey): string => {
    const value = get(key);
    return value === undefined ? CONFIG_DEFAULTS[key] : value.trim();
  };
  const int = (key: ConfigKey, min: number, max: number): number => {
    const text = raw(key);
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigError(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const bool = (key: ConfigKey): boolean => {
    const text = raw(key);
    if (text !== "true" && text !== "false") {
      throw new ConfigError(key, `expected true or false, got ${JSON.stringify(text)}`);
    }
    return text === "true";
  };

  const logRetentionDays = int("logRetentionDays", 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new ConfigError(
      "logRetentionDays",
      `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  }
  // API Gateway's account-level default is 10000 rps / 5000 burst; a stage cannot exceed it.
  const rateLimit = int("throttleRateLimit", 1, 10000);
  const burstLimit = int("throttleBurstLimit", 1, 5000);
  const alarmEmail = raw("alarmEmail") || undefined;
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new ConfigError("alarmEmail", `not an e-mail address: ${JSON.stringify(alarmEmail)}`);
  }
  const oneOf = <T extends string>(key: ConfigKey, allowed: readonly T[]): T => {
    const text = raw(key);
    if (!(allowed as readonly string[]).includes(text)) {
      throw new ConfigError(key, `expected one of ${allowed.join(", ")}, got ${JSON.stringify(text)}`);
    }
    return text as T;
  };
  const stageName = raw("stageName");
  if (stageName.length < 1 || stageName.length > 128) {
    throw new ConfigError("stageName", `expected 1 to 128 characters, got ${stageName.length}`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(stageName)) {
    throw new ConfigError(
      "stageName",
      `use letters, digits, "-" and "_" only, got ${JSON.stringify(stageName)}`,
    );
  }
  return {
    logRetentionDays,
    throttle: { rateLimit, burstLimit },
    // EventBridge archives: 0 = indefinite; otherwise any positive number of days.
    archiveRetentionDays: int("archiveRetentionDays", 0, 36500),
    alarmEmail,
    auth: oneOf("auth", AUTH_MODES),
    // API Gateway quotas are positive integers; 0 means none.
    quota: quotaOf(int("apiKeyQuotaLimit", 0, 2_000_000_000), oneOf("apiKeyQuotaPeriod", QUOTA_PERIODS)),
    stageName,
    asyncRetryAttempts: int("asyncRetryAttempts", 0, 2),
    asyncMaxEventAgeSeconds: int("asyncMaxEventAgeSeconds", 60, 21600),
    manageApiGatewayAccount: bool("manageApiGatewayAccount"),
  };
}

function quotaOf(limit: number, period: QuotaPeriod): BackboneConfig["quota"] {
  return limit === 0 ? undefined : { limit, period };
}

/** Reads the stack's config; a bad value or unknown key fails the preview with a `ResourceError` naming it. */
export function loadConfig(): BackboneConfig {
  const config = new pulumi.Config();
  const namespace = `${config.name}:`;
  const setKeys = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(namespace))
    .map((k) => k.slice(namespace.length));
  try {
    return parseConfig((key) => config.get(key), setKeys);
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.ResourceError(err.message, undefined);
    throw err;
  }
}
