/**
 * What `npm start` reads: the environment variables (`ENVIRONMENT`) and its command-line flags, turned into
 * `buildApp`'s options with a one-line `StartError` for anything it refuses.
 * local/README.md's settings table is checked against `ENVIRONMENT` by a test.
 */
import { parseArgs } from "node:util";
import { oneEditApart } from "../../infra/table";
import { DEFAULTS, EMIT_KEY_FORM, splitList, type LocalOptions } from "./defaults";

/** The settings `npm start` reads from the environment, by option, with their variables. */
export const ENVIRONMENT = {
  port: "PORT",
  host: "HOST",
  dbPath: "BACKBONE_DB",
  logLevel: "LOG_LEVEL",
  retryBaseDelayMs: "BACKBONE_RETRY_BASE_MS",
  maxPending: "BACKBONE_MAX_PENDING",
  ingestPriority: "BACKBONE_INGEST_PRIORITY",
  ingestPriorityTrickle: "BACKBONE_INGEST_PRIORITY_TRICKLE",
  concurrency: "BACKBONE_CONCURRENCY",
  checkpointIntervalMs: "BACKBONE_CHECKPOINT_MS",
  token: "BACKBONE_TOKEN",
  emitKey: "BACKBONE_EMIT_KEY",
  allowedHosts: "BACKBONE_ALLOWED_HOSTS",
} as const satisfies Partial<Record<keyof typeof DEFAULTS, string>>;

/** pino's levels, and `silent`: what `LOG_LEVEL` may be (pino throws on any other, with a stack trace). */
const LOG_LEVELS: readonly string[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** `npm start`'s flags, each standing for its environment variable (flags win over the environment). */
export const FLAGS = { port: ENVIRONMENT.port, host: ENVIRONMENT.host, db: ENVIRONMENT.dbPath } as const;

/** The one-line usage `npm start` prints with a flag it refuses. */
export const USAGE = `usage: npm start -- [--port ${DEFAULTS.port}] [--host ${DEFAULTS.host}] [--db ${DEFAULTS.dbPath}]`;

/**
 * The environment `npm start` runs with once its command line is applied: each flag sets its variable.
 *
 * npm keeps flags it does not know for itself when they come before `--`: `npm start --port 4000` reaches the
 * script as the bare argument `4000`, with `npm_config_port=true` in the environment, and `--port=4000` only as
 * `npm_config_port=4000`. So under npm a flag npm took is read back from there, and one bare argument is the
 * value of the one flag npm took. npm does not say in which order it took several, so two or more such flags
 * written with a space are refused, naming the forms that work. Throws a one-line `StartError` with the usage for
 * an unknown flag, a flag without a value and an argument that belongs to no flag.
 */
export function applyFlags(argv: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = Object.keys(FLAGS) as (keyof typeof FLAGS)[];
  const values: Partial<Record<keyof typeof FLAGS, string>> = {};
  // Flags npm took, in npm's environment (only when npm runs this as a script).
  const taken: (keyof typeof FLAGS)[] = [];
  if (env.npm_lifecycle_event !== undefined) {
    for (const name of names) {
      const value = env[`npm_config_${name}`];
      if (value === undefined || value === "") continue;
      if (value === "true") taken.push(name);
      else values[name] = value;
    }
    // A flag npm does not know it keeps as its own config: a near miss of one of ours is a typo to name. None of
    // npm 11's 182 configs (`npm config ls -l`) is one edit from `port`, `host` or `db`, so a setting of npm's is
    // never taken for a typo.
    const typo = npmFlagsNotOurs(env, names)
      .map((o) => [o, names.find((n) => oneEditApart(o, n))] as const)
      .find(([, n]) => n);
    if (typo) {
      throw new StartError(
        `npm start does not know --${typo[0]} (npm kept it for itself); did you mean --${typo[1]}? ${USAGE}`,
      );
    }
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(names.map((n) => [n, { type: "string" }])) as Record<
      keyof typeof FLAGS,
      { type: "string" }
    >,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    if (!(names as string[]).includes(token.name)) {
      throw new StartError(`unknown flag ${token.rawName}; ${USAGE}`);
    }
    if (token.value === undefined) throw new StartError(`${token.rawName} needs a value; ${USAGE}`);
    values[token.name as keyof typeof FLAGS] = token.value;
  }
  if (taken.length > 1 && positionals.length > 0) {
    const flags = taken.map((n) => `--${n}`).join(", ");
    throw new StartError(
      `npm kept ${flags} for itself and passed their values on without their names; write them as ` +
        `${taken.map((n) => `--${n}=…`).join(" ")}, or after --: npm start -- ${taken.map((n) => `--${n} …`).join(" ")}`,
    );
  }
  if (taken.length === 1 && values[taken[0]] === undefined) {
    if (positionals.length === 0) throw new StartError(`--${taken[0]} needs a value; ${USAGE}`);
    values[taken[0]] = positionals.shift();
  }
  if (positionals.length > 0) {
    // `npm start --listen 4000`: npm took --listen for itself and passed 4000 on alone. Which flag it took cannot
    // be told from npm's own settings (some of them are `true` too), so the message only says what may have.
    const why =
      env.npm_lifecycle_event !== undefined ? " (after a flag npm start does not know, which npm keeps)" : "";
    throw new StartError(`unexpected argument ${positionals[0]}${why}; ${USAGE}`);
  }
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names) if (values[name] !== undefined) out[FLAGS[name]] = values[name];
  return out;
}

/** Names of the `npm_config_*` variables with a value that are none of `names`: npm's settings and flags it took. */
function npmFlagsNotOurs(env: NodeJS.ProcessEnv, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith("npm_config_") || value === undefined || value === "") continue;
    const name = key.slice("npm_config_".length);
    if (!names.includes(name)) out.push(name);
  }
  return out;
}

/** What `npm start` reads from its environment: where to listen, the logger's level, and `buildApp`'s options. */
export interface StartSettings {
  port: number;
  host: string;
  logLevel: string;
  options: LocalOptions;
}

/** A setting `npm start` refuses: its message is one line naming the setting (local/main.ts prints only that). */
export class StartError extends Error {
  override readonly name = "StartError";
}

/** A setting as its messages name it: the variable, and the flag that sets it when there is one. */
function named(key: keyof typeof ENVIRONMENT): string {
  const flag = Object.entries(FLAGS).find(([, variable]) => variable === ENVIRONMENT[key])?.[0];
  return flag ? `${ENVIRONMENT[key]} (--${flag})` : ENVIRONMENT[key];
}

/** Reads `ENVIRONMENT` from `env`; throws a `StartError` naming the variable and its accepted values. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): StartSettings {
  const text = (key: keyof typeof ENVIRONMENT): string | undefined => {
    const raw = env[ENVIRONMENT[key]];
    return raw === undefined || raw === "" ? undefined : raw;
  };
  const number = (key: keyof typeof ENVIRONMENT): number | undefined => {
    const raw = text(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) {
      throw new StartError(`${named(key)} must be a non-negative number, got ${raw}`);
    }
    return n;
  };
  const logLevel = text("logLevel") ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new StartError(`${ENVIRONMENT.logLevel} must be one of ${LOG_LEVELS.join(", ")}, got ${logLevel}`);
  }
  const concurrency = number("concurrency");
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    // 0 would accept every event and never deliver one.
    throw new StartError(
      `${ENVIRONMENT.concurrency} must be a whole number of at least 1, got ${concurrency}`,
    );
  }
  const priority = text("ingestPriority");
  if (priority !== undefined && priority !== "on" && priority !== "off") {
    throw new StartError(`${ENVIRONMENT.ingestPriority} must be on or off, got ${priority}`);
  }
  for (const removed of ["BACKBONE_DELIVERY", "BACKBONE_INGEST_PRIORITY_RATE"]) {
    if (env[removed] !== undefined && env[removed] !== "") {
      throw new StartError(
        `${removed} is no longer read: see local/README.md (processors run in isolated workers)`,
      );
    }
  }
  const port = number("port") ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port > 65535) {
    throw new StartError(`${ENVIRONMENT.port}: invalid port ${port}`);
  }
  const hosts = text("allowedHosts");
  const emitKey = text("emitKey");
  if (emitKey !== undefined && !EMIT_KEY_FORM.test(emitKey)) {
    // Never echoed: it is a secret.
    throw new StartError(
      `${ENVIRONMENT.emitKey} must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - (got ${emitKey.length} characters)`,
    );
  }
  return {
    port,
    host: text("host") ?? DEFAULTS.host,
    logLevel,
    options: {
      dbPath: text("dbPath") ?? DEFAULTS.dbPath,
      retryBaseDelayMs: number("retryBaseDelayMs"),
      maxPending: number("maxPending"),
      ingestPriority: priority,
      ingestPriorityTrickle: number("ingestPriorityTrickle"),
      concurrency,
      checkpointIntervalMs: number("checkpointIntervalMs"),
      token: text("token"),
      emitKey,
      allowedHosts: hosts === undefined ? undefined : splitList(hosts),
    },
  };
}
