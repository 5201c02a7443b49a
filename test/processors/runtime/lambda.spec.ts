import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { routes } from "../../../infra/routes";
import { capJson, lambdaHandler, MAX_RESULT_BYTES } from "../../../processors/runtime";
import order, { type OrderResult } from "../../../processors/order";
import support from "../../../processors/support";
import type { BackboneEvent } from "../../../processors/runtime";
import { LambdaSandbox } from "../../infra/aws/harness/lambda-sandbox";
import { startFakeAws, type FakeAws } from "./fake-aws";
import { fixture, harness, sampleEventFor } from "../helpers";

const TABLE = "backbone-idempotency";
const BUS = "backbone-bus";

/** Env a Lambda would see, pointed at the fake. */
function lambdaEnv(
  fake: FakeAws,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: fake.url,
    AWS_REGION: "ap-southeast-2",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    EVENT_BUS_NAME: BUS,
    IDEMPOTENCY_TABLE: TABLE,
    ...overrides,
  };
}

/** Sets env vars for the duration of `fn`, then restores them. */
async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(env);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

/** Captures what `fn` writes to stdout (the Lambda logger's destination), as lines. */
async function captureStdout<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const original = process.stdout.write.bind(process.stdout);
  let text = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stdout.write;
  try {
    const value = await fn();
    return { value, lines: text.split("\n").filter((l) => l.length > 0) };
  } finally {
    process.stdout.write = original;
  }
}

describe("Lambda adapter (fake DynamoDB + EventBridge over HTTP)", () => {
  let fake: FakeAws;
  beforeEach(async () => {
    fake = await startFakeAws();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("processes a duplicate delivery once: same result, one PutEvents, one stored item", async () => {
    const handler = lambdaHandler(order.handle, order.name, "order-created");
    const event = fixture("order-created.seed") as BackboneEvent;
    const { first, second } = await withEnv(lambdaEnv(fake), async () => {
      const { value } = await captureStdout(async () => ({
        first: await handler(event),
        second: await handler(event),
      }));
      return value;
    });

    expect(second).to.deep.equal(first);
    expect((first as OrderResult).status).to.equal("confirmed");
    expect(fake.putEvents).to.have.length(1);
    const [entry] = fake.putEvents[0];
    expect(entry).to.include({
      EventBusName: BUS,
      Source: "backbone.order",
      DetailType: "notification-sent",
    });
    expect(JSON.parse(entry.Detail)).to.deep.include({
      recipient: "CUST-001",
      template: "order-confirmation",
    });

    const item = fake.tables[TABLE][`order-created:${event.id}`];
    expect(JSON.parse(item.result.S as string)).to.deep.equal({ result: first });
    const ttl = Number(item.expiresAt.N) - Date.now() / 1000;
    expect(ttl).to.be.within(7 * 24 * 3600 - 60, 7 * 24 * 3600 + 1);
    expect(fake.calls).to.deep.equal([
      "DynamoDB_20120810.GetItem",
      "AWSEvents.PutEvents",
      "DynamoDB_20120810.PutItem",
      "DynamoDB_20120810.GetItem",
    ]);
  });

  it("stores a result over 256 KB cut to the same marker as the local stack (DynamoDB refuses items over 400 KB)", async () => {
    // An analytics-like processor that returns what it was given: the API accepts 1 MB events.
    const big = "x".repeat(450 * 1024);
    const handler = lambdaHandler(() => ({ properties: { big } }), "echo", "echo-route");
    const event = { ...(fixture("order-created.seed") as BackboneEvent), id: "big-result-1" };

    const { value } = await withEnv(lambdaEnv(fake), () =>
      captureStdout(async () => [await handler(event), await handler(event)]),
    );

    const stored = fake.tables[TABLE]["echo-route:big-result-1"].result.S as string;
    expect(Buffer.byteLength(stored)).to.be.at.most(MAX_RESULT_BYTES + 16);
    const kept = JSON.parse(stored).result;
    expect(kept).to.include({
      truncated: true,
      bytes: Buffer.byteLength(JSON.stringify({ properties: { big } })),
    });
    expect(kept.head).to.match(/^\{"properties":\{"big":"x+$/);
    expect(JSON.stringify(kept)).to.equal(capJson(JSON.stringify({ properties: { big } }), MAX_RESULT_BYTES));
    expect(value[0]).to.deep.equal({ properties: { big } }); // the first delivery answers the whole result
    expect(value[1]).to.deep.equal(kept); // a duplicate answers what was stored
  });

  it("logs one JSON object per line with level, msg, eventId and routeKey", async () => {
    const handler = lambdaHandler(order.handle, order.name, "order-created");
    const event = fixture("order-created.seed") as BackboneEvent;
    const { lines } = await withEnv(lambdaEnv(fake), () =>
      captureStdout(async () => [await handler(event), await handler(event)]),
    );
    expect(lines.length).to.be.greaterThan(2);
    for (const line of lines) {
      const parsed = JSON.parse(line);
      expect(parsed, line).to.include({ eventId: event.id, routeKey: "order-created" });
      expect(parsed.level, line).to.be.oneOf(["debug", "info", "warn", "error"]);
      expect(parsed.msg, line).to.be.a("string");
    }
    expect(lines.map((l) => JSON.parse(l).msg)).to.include("duplicate delivery: returning the stored result");
  });

  it("fails the invocation when PutEvents rejects an entry, stores nothing, and the retry emits once", async () => {
    const handler = lambdaHandler(order.handle, order.name, "order-created");
    const event = fixture("order-created.seed") as BackboneEvent;
    fake.failPutEventsWith = "ThrottlingException";
    let error: (Error & { code?: string }) | undefined;
    await withEnv(lambdaEnv(fake), () =>
      captureStdout(() => handler(event).catch((e: Error) => (error = e))),
    );
    expect(error?.name).to.equal("PutEventsFailed");
    expect(error?.code).to.equal("ThrottlingException");
    expect(fake.tables[TABLE] ?? {}).to.deep.equal({});

    fake.failPutEventsWith = undefined;
    await withEnv(lambdaEnv(fake), () =>
      captureStdout(async () => [await handler(event), await handler(event)]),
    );
    expect(fake.putEvents).to.have.length(1);
  });

  it("keeps the first stored result when a concurrent delivery already stored one", async () => {
    const event = fixture("support-ticket.seed") as BackboneEvent;
    const key = `support-ticket:${event.id}`;
    fake.tables[TABLE] = {
      [key]: { id: { S: key }, result: { S: '{"result":"first"}' }, expiresAt: { N: "9999999999" } },
    };
    fake.hideItems = true; // both deliveries read before either wrote
    const handler = lambdaHandler(support.handle, support.name, "support-ticket");
    const { value } = await withEnv(lambdaEnv(fake), () => captureStdout(() => handler(event)));
    expect(value).to.include({ team: "senior" });
    expect(fake.tables[TABLE][key].result.S).to.equal('{"result":"first"}');
  });

  it("ignores an expired item that DynamoDB's TTL has not deleted yet", async () => {
    const event = fixture("support-ticket.seed") as BackboneEvent;
    const key = `support-ticket:${event.id}`;
    fake.tables[TABLE] = {
      [key]: { id: { S: key }, result: { S: '{"result":"stale"}' }, expiresAt: { N: "1000" } },
    };
    const handler = lambdaHandler(support.handle, support.name, "support-ticket");
    const { value } = await withEnv(lambdaEnv(fake), () => captureStdout(() => handler(event)));
    expect(value).to.include({ team: "senior" });
  });

  it("without IDEMPOTENCY_TABLE: processes every delivery and warns once per container", async () => {
    const handler = lambdaHandler(order.handle, order.name, "order-created");
    const event = fixture("order-created.seed") as BackboneEvent;
    const { lines } = await withEnv(lambdaEnv(fake, { IDEMPOTENCY_TABLE: undefined }), () =>
      captureStdout(async () => [await handler(event), await handler(event)]),
    );
    expect(fake.putEvents).to.have.length(2);
    expect(fake.calls.filter((c) => c.startsWith("DynamoDB"))).to.deep.equal([]);
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === "warn");
    expect(warnings).to.have.length(1);
    expect(warnings[0].msg).to.match(/IDEMPOTENCY_TABLE is not set/);
  });

  it("without EVENT_BUS_NAME: fails an emitting processor with a message naming the variable", async () => {
    const handler = lambdaHandler(order.handle, order.name, "order-created");
    let error: Error | undefined;
    await withEnv(lambdaEnv(fake, { EVENT_BUS_NAME: undefined }), () =>
      captureStdout(() =>
        handler(fixture("order-created.seed") as BackboneEvent).catch((e: Error) => (error = e)),
      ),
    );
    expect(error?.message).to.match(/EVENT_BUS_NAME is not set/);
    expect(fake.tables[TABLE] ?? {}).to.deep.equal({});
  });
});

/**
 * Runs `dir/index.js` (a serialized closure) in a fresh Node process: `exportName` on `event`, twice.
 * `sdkPath` is the NODE_PATH folder holding only `@aws-sdk` (`LambdaSandbox.sdkPath`).
 */
function runSerialized(
  dir: string,
  exportName: string,
  env: Record<string, string | undefined>,
  event: unknown,
  sdkPath: string,
): Promise<unknown[]> {
  const driver = `
    const handler = require("./index.js")[${JSON.stringify(exportName)}];
    const event = ${JSON.stringify(event)};
    (async () => {
      const results = [await handler(event), await handler(event)];
      process.stdout.write("RESULTS " + JSON.stringify(results) + "\\n");
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  fs.writeFileSync(path.join(dir, "driver.js"), driver);
  // Only the SDK stands in for the nodejs22.x runtime's built-in AWS SDK v3; nothing else of the project.
  const childEnv = {
    PATH: process.env.PATH,
    NODE_PATH: sdkPath,
    ...env,
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["driver.js"],
      { cwd: dir, env: childEnv as NodeJS.ProcessEnv },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        const line = stdout.split("\n").find((l) => l.startsWith("RESULTS "));
        if (!line) return reject(new Error(`no results:\n${stdout}\n${stderr}`));
        resolve(JSON.parse(line.slice("RESULTS ".length)));
      },
    );
  });
}

describe("Lambda adapter serialized by Pulumi, run in a separate process", function () {
  this.timeout(120_000);
  let fake: FakeAws;
  let sandbox: LambdaSandbox;
  let dir: string;
  before(async () => {
    fake = await startFakeAws();
    sandbox = new LambdaSandbox();
  });
  after(async () => {
    await fake.close();
    sandbox?.dispose();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backbone-lambda-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("catches a closure that serializes fine and fails at run time (negative control: a captured Map)", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const teams = new Map([["billing", "finance"]]);
    const serialized = await pulumi.runtime.serializeFunction(
      lambdaHandler(async () => teams.get("billing"), "demo", "demo-route"),
    );
    fs.writeFileSync(path.join(dir, "index.js"), serialized.text);
    let error: unknown;
    await runSerialized(
      dir,
      serialized.exportName,
      lambdaEnv(fake),
      fixture("order-created.seed"),
      sandbox.sdkPath,
    ).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/incompatible receiver/);
  });

  it("keeps the declared-emits check when serialized: an undeclared emit fails the invocation", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const serialized = await pulumi.runtime.serializeFunction(
      lambdaHandler(order.handle, order.name, "order-created", undefined, []),
    );
    fs.writeFileSync(path.join(dir, "index.js"), serialized.text);
    const before = fake.putEvents.length;
    let error: unknown;
    await runSerialized(
      dir,
      serialized.exportName,
      lambdaEnv(fake),
      { ...fixture("order-created.seed"), id: "serialized-undeclared" },
      sandbox.sdkPath,
    ).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(
      /UndeclaredEmit: route "order-created": processor "order" emitted "notification-sent"/,
    );
    expect(fake.putEvents.length).to.equal(before);
  });

  for (const row of routes) {
    it(`route ${row.key}: serializes, runs, and a duplicate delivery emits nothing twice`, async () => {
      const pulumi = await import("@pulumi/pulumi");
      const serialized = await pulumi.runtime.serializeFunction(
        lambdaHandler(row.processor.handle, row.processor.name, row.key, undefined, [
          ...(row.processor.emits ?? []),
        ]),
      );
      const requires = [...serialized.text.matchAll(/require\(["'`]([^"'`]+)["'`]\)/g)].map((m) => m[1]);
      for (const r of requires)
        expect(r, "only the runtime's SDK or node built-ins").to.match(/^(@aws-sdk\/|node:)/);
      fs.writeFileSync(path.join(dir, "index.js"), serialized.text);

      const event = { ...sampleEventFor(row), id: `serialized-${row.key}` };
      const before = fake.putEvents.length;
      const [first, second] = await runSerialized(
        dir,
        serialized.exportName,
        lambdaEnv(fake),
        event,
        sandbox.sdkPath,
      );

      expect(second).to.deep.equal(first);
      expect(first).to.be.an("object");
      const stored = fake.tables[TABLE][`${row.key}:${event.id}`];
      expect(JSON.parse(stored.result.S as string)).to.deep.equal({ result: first });
      // What the same processor emits when run from source: the serialized copy must emit exactly that, once.
      const fromSource = harness(row.processor, row.key);
      await fromSource.run(event);
      const emitted = fake.putEvents.slice(before).flat();
      expect(
        emitted.map((e) => ({ source: e.Source, detailType: e.DetailType, detail: JSON.parse(e.Detail) })),
        "the first delivery's emits, none for the duplicate",
      ).to.deep.equal(fromSource.published);
      for (const e of emitted) expect(e.EventBusName).to.equal(BUS);
    });
  }
});
