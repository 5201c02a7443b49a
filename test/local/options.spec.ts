/**
 * The local stack's options: one `DEFAULTS`, applied by `resolveOptions`, read from the environment by
 * `settingsFromEnv`, and documented in local/README.md's settings table, which must say the same.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULTS, ENVIRONMENT, resolveOptions, settingsFromEnv } from "../../local/options";
import { ROOT } from "./helpers";

/**
 * `| \`VAR\`, \`VAR2\` | meaning | \`default\`, \`default2\` |` rows of local/README.md, by variable; a default cell
 * without a code span (e.g. "none") stands for the empty default.
 */
function readmeDefaults(): Map<string, string> {
  const text = readFileSync(join(ROOT, "local", "README.md"), "utf8");
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 5 || !cells[1].startsWith("`")) continue;
    const names = [...cells[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);
    const values = [...cells[3].matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    names.forEach((name, i) => out.set(name, values[i] ?? ""));
  }
  return out;
}

describe("local stack: options and their defaults", function () {
  const documented = readmeDefaults();

  for (const [option, variable] of Object.entries(ENVIRONMENT)) {
    it(`local/README.md documents ${variable} with the default of ${option}`, () => {
      expect(documented.get(variable)).to.equal(String(DEFAULTS[option as keyof typeof ENVIRONMENT]));
    });
  }

  it("local/README.md documents no variable that npm start does not read", () => {
    expect([...documented.keys()].sort()).to.deep.equal(Object.values(ENVIRONMENT).sort());
  });

  it("README.md's settings line names every variable", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const variable of Object.values(ENVIRONMENT)) expect(readme).to.include(`\`${variable}\``);
  });

  it("resolveOptions applies DEFAULTS to every setting it is not given", () => {
    const resolved = resolveOptions({ routes: [], isolation: "none" });
    expect(resolved).to.deep.include({
      dbPath: DEFAULTS.dbPath,
      isolation: "none",
      emitTransport: DEFAULTS.emitTransport,
      busName: "event-backbone-local",
      busAliases: ["backbone"],
      region: DEFAULTS.region,
      account: DEFAULTS.account,
      maxPending: DEFAULTS.maxPending,
    });
    // Random per start (192 bits), so no other client can learn it from the code or the docs.
    expect(resolved.emitKey).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(resolveOptions({ routes: [], isolation: "none" }).emitKey).to.not.equal(resolved.emitKey);
    const shared = "shared-by-two-processes";
    expect(resolveOptions({ routes: [], isolation: "none", emitKey: shared }).emitKey).to.equal(shared);
    expect(resolved.store).to.deep.equal({
      synchronous: DEFAULTS.synchronous,
      checkpointIntervalMs: DEFAULTS.checkpointIntervalMs,
      deliveryRows: "late",
      maxResultBytes: DEFAULTS.maxResultBytes,
      storageCheckMs: DEFAULTS.storageCheckMs,
      lock: true,
    });
    expect(resolved.http).to.deep.equal({
      token: DEFAULTS.token,
      allowedHosts: [],
      headersTimeoutMs: DEFAULTS.headersTimeoutMs,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      keepAliveTimeoutMs: DEFAULTS.keepAliveTimeoutMs,
      connectionTimeoutMs: DEFAULTS.connectionTimeoutMs,
      maxConnections: DEFAULTS.maxConnections,
    });
    expect(resolved.deliverySettings).to.deep.equal({
      concurrency: DEFAULTS.concurrency,
      retryBaseDelayMs: DEFAULTS.retryBaseDelayMs,
      retryMaxDelayMs: DEFAULTS.retryMaxDelayMs,
      defaultTimeoutSeconds: DEFAULTS.defaultTimeoutSeconds,
      readyQueueCap: DEFAULTS.readyQueueCap,
    });
    expect(resolved.ingestPriority).to.deep.equal({
      enabled: DEFAULTS.ingestPriority === "on",
      load: DEFAULTS.ingestPriorityLoad,
      gain: DEFAULTS.ingestPriorityGain,
      trickle: DEFAULTS.ingestPriorityTrickle,
      windowMs: DEFAULTS.ingestPriorityWindowMs,
    });
    expect(resolved.workers).to.deep.equal({
      defaultMemoryMb: DEFAULTS.defaultMemoryMb,
      startTimeoutMs: DEFAULTS.workerStartTimeoutMs,
    });
  });

  it("isolates processors in workers unless told otherwise", () => {
    expect(resolveOptions({}).isolation).to.equal("workers");
    expect(DEFAULTS.isolation).to.equal("workers");
  });

  it("names the local stack as the Pulumi project's stack `local` (Pulumi.yaml's name)", () => {
    const project = /^name:\s*(\S+)/m.exec(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"))?.[1];
    expect(DEFAULTS.project).to.equal(project);
    const { names, arns } = resolveOptions({ routes: [], isolation: "none" });
    expect(names.bus).to.equal(`${project}-local`);
    expect(arns.rule("order-created")).to.equal(
      `arn:aws:events:ap-southeast-2:000000000000:rule/${project}-local/${project}-local-order-created`,
    );
    expect(resolveOptions({ routes: [], isolation: "none", stack: "ci" }).busName).to.equal(`${project}-ci`);
  });

  it("loads the default routing table from its module, relative to the project root", () => {
    const resolved = resolveOptions({});
    expect(resolved.routesModule).to.equal(join(ROOT, DEFAULTS.routesModule));
    expect(resolved.routes.map((r) => r.key)).to.include("order-created");
  });

  it("refuses an inline table in workers, naming both ways out", () => {
    expect(() => resolveOptions({ routes: [] })).to.throw(/routesModule.*isolation: "none"/);
    expect(() => resolveOptions({ routes: [], isolation: "workers" })).to.throw(/cannot be posted/);
  });

  const envCases: [name: string, env: Record<string, string>, error: RegExp][] = [
    [
      "an ingest priority that is neither on nor off",
      { BACKBONE_INGEST_PRIORITY: "yes" },
      /BACKBONE_INGEST_PRIORITY must be on or off/,
    ],
    ["the removed delivery thread", { BACKBONE_DELIVERY: "thread" }, /BACKBONE_DELIVERY is no longer read/],
    [
      "the removed ingest rate threshold",
      { BACKBONE_INGEST_PRIORITY_RATE: "5000" },
      /BACKBONE_INGEST_PRIORITY_RATE is no longer read/,
    ],
    [
      "a negative number",
      { BACKBONE_MAX_PENDING: "-1" },
      /BACKBONE_MAX_PENDING must be a non-negative number/,
    ],
    [
      "text for a number",
      { BACKBONE_CONCURRENCY: "many" },
      /BACKBONE_CONCURRENCY must be a non-negative number/,
    ],
    ["a port out of range", { PORT: "70000" }, /PORT: invalid port/],
    // The port may have come from --port: the message names both.
    ["a port that is no number", { PORT: "abc" }, /^PORT \(--port\) must be a non-negative number, got abc$/],
    // 0 processors at once would accept every event and never deliver one.
    [
      "a log level pino does not have",
      { LOG_LEVEL: "verbose" },
      /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got verbose$/,
    ],
    [
      "no processor at once",
      { BACKBONE_CONCURRENCY: "0" },
      /BACKBONE_CONCURRENCY must be a whole number of at least 1, got 0/,
    ],
    [
      "half a processor",
      { BACKBONE_CONCURRENCY: "0.5" },
      /BACKBONE_CONCURRENCY must be a whole number of at least 1/,
    ],
    // A short key could be guessed; one with a space or a newline would not travel in a header unchanged.
    [
      "an emit key that is too short",
      { BACKBONE_EMIT_KEY: "short" },
      /BACKBONE_EMIT_KEY must be 16 to 256 .*got 5 characters/,
    ],
    [
      "an emit key no header carries",
      { BACKBONE_EMIT_KEY: "sixteen chars or more" },
      /BACKBONE_EMIT_KEY must be 16 to 256 characters of A-Z/,
    ],
  ];
  for (const [name, env, error] of envCases) {
    it(`npm start refuses ${name}, naming the variable`, () => {
      expect(() => settingsFromEnv(env)).to.throw(error);
    });
  }

  it("npm start reads every variable into its option", () => {
    const settings = settingsFromEnv({
      PORT: "4000",
      HOST: "::1",
      BACKBONE_DB: "/tmp/x.db",
      LOG_LEVEL: "debug",
      BACKBONE_RETRY_BASE_MS: "5",
      BACKBONE_MAX_PENDING: "10",
      BACKBONE_INGEST_PRIORITY: "off",
      BACKBONE_INGEST_PRIORITY_TRICKLE: "3",
      BACKBONE_CONCURRENCY: "2",
      BACKBONE_CHECKPOINT_MS: "0",
      BACKBONE_TOKEN: "s3cret",
      BACKBONE_EMIT_KEY: "key.shared_with~another+process=",
      BACKBONE_ALLOWED_HOSTS: "bus.lan, 10.0.0.5",
    });
    expect(settings).to.deep.equal({
      port: 4000,
      host: "::1",
      logLevel: "debug",
      options: {
        dbPath: "/tmp/x.db",
        retryBaseDelayMs: 5,
        maxPending: 10,
        ingestPriority: "off",
        ingestPriorityTrickle: 3,
        concurrency: 2,
        checkpointIntervalMs: 0,
        token: "s3cret",
        emitKey: "key.shared_with~another+process=",
        allowedHosts: ["bus.lan", "10.0.0.5"],
      },
    });
  });

  it("refuses an emitKey no header carries or anyone could guess, without echoing it", () => {
    for (const emitKey of ["shared", "a key with spaces in it", "x".repeat(257)]) {
      expect(() => resolveOptions({ routes: [], isolation: "none", emitKey }), emitKey)
        .to.throw(/^emitKey: 16 to 256 characters/)
        .with.property("message")
        .that.does.not.include(emitKey);
    }
  });

  it("refuses a token with the HTTP emit transport (its client would not carry it)", () => {
    expect(() =>
      resolveOptions({ routes: [], isolation: "none", token: "t", emitTransport: "http" }),
    ).to.throw(/token/);
  });
});
