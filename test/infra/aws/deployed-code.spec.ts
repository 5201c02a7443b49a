import { expect } from "chai";
import { builtinModules } from "node:module";
import { deflateRawSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { routes } from "../../../infra/routes";
import { runtimeDependencies } from "../../../infra/aws";
import { idempotencyKey } from "../../../processors/runtime";
import type { BackboneEvent } from "../../../processors/runtime";
import { startFakeAws, type FakeAws, type PutEventsEntry } from "../../processors/runtime/fake-aws";
import { fixture, harness, sampleEventFor } from "../../processors/helpers";
import { CAPTURED_MAP_ROW } from "./fixtures/table-captured-map";
import { LambdaSandbox } from "./harness/lambda-sandbox";
import { programFor, type DeclaredResource, type Program } from "./harness/program";

/** The archive of a route must stay small: it holds only the serialized handler. */
const MAX_ARCHIVE_BYTES = 100 * 1024;
const NOW = Date.parse("2025-01-11T22:00:30.000Z");

/** The archive's files as text (`code.assets` of the mocked Function); anything else is reported by path. */
function archiveFiles(fn: DeclaredResource): { files: Record<string, string>; notText: string[] } {
  expect(fn.inputs.code.__archive, "code is an AssetArchive of assets").to.equal("assets");
  const files: Record<string, string> = {};
  const notText: string[] = [];
  for (const [path, asset] of Object.entries(fn.inputs.code.assets as Record<string, { text?: string }>)) {
    if (typeof asset.text === "string") files[path] = asset.text;
    else notText.push(path);
  }
  return { files, notText };
}

describe("deployed code: every route's Lambda archive runs on its own", function () {
  this.timeout(180_000);
  let program: Program;
  let fake: FakeAws;
  let sandbox: LambdaSandbox;
  const sizes: { route: string; bytes: number; deflated: number }[] = [];

  before(async () => {
    [program, fake] = await Promise.all([programFor(), startFakeAws()]);
    expect(program.error, program.error?.message).to.equal(undefined);
    sandbox = new LambdaSandbox();
  });
  after(async () => {
    await fake?.close();
    sandbox?.dispose();
    if (sizes.length > 0) {
      console.log("      archive sizes (bytes, deflated ≈ zip):");
      for (const s of sizes)
        console.log(
          `        ${s.route.padEnd(20)} ${String(s.bytes).padStart(7)} ${String(s.deflated).padStart(7)}`,
        );
    }
  });

  it("the sandbox resolves the runtime's AWS SDK and nothing from the project", async () => {
    const dir = sandbox.unpack("probe", { "index.js": "" });
    expect(await sandbox.resolves(dir, "@aws-sdk/client-eventbridge")).to.equal(true);
    expect(await sandbox.resolves(dir, "@aws-sdk/client-dynamodb")).to.equal(true);
    for (const pkg of ["@sinclair/typebox", "@pulumi/pulumi", "fastify", "better-sqlite3", "chai"]) {
      expect(await sandbox.resolves(dir, pkg), pkg).to.equal(false);
    }
  });

  it("codePathOptions is what keeps node_modules out: without it Pulumi would zip the dependencies", async () => {
    const excluded = runtimeDependencies();
    expect(excluded).to.include.members(["fastify", "better-sqlite3", "@sinclair/typebox"]);
    const withOptions = await pulumi.runtime.computeCodePaths({
      extraExcludePackages: [...excluded, "aws-sdk"],
    });
    expect([...withOptions.keys()]).to.deep.equal([]);
    const withoutOptions = await pulumi.runtime.computeCodePaths({ extraExcludePackages: ["aws-sdk"] });
    expect([...withoutOptions.keys()].some((p) => p.includes("node_modules/fastify"))).to.equal(true);
  });

  for (const row of routes) {
    describe(`route "${row.key}" (${row.processor.name} processor)`, () => {
      let files: Record<string, string>;
      let notText: string[];
      let fn: DeclaredResource;
      let dir: string;
      let env: Record<string, string>;
      let event: BackboneEvent;

      before(() => {
        event = sampleEventFor(row);
        fn = program.findResource("aws:lambda/function:Function", row.key);
        ({ files, notText } = archiveFiles(fn));
        dir = sandbox.unpack(row.key, files);
        env = {
          ...fn.inputs.environment.variables,
          AWS_ENDPOINT_URL: fake.url,
          AWS_REGION: "ap-southeast-2",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_LAMBDA_FUNCTION_NAME: fn.state.name,
        };
      });

      it("the archive holds only the serialized handler: no node_modules, no dev or local-only packages", () => {
        expect(notText, "folders or files copied into the archive (node_modules)").to.deep.equal([]);
        expect(Object.keys(files)).to.deep.equal(["__index.js"]);
        expect(fn.inputs.handler).to.equal("__index.handler");
        const text = files["__index.js"];
        const required = [...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
        const allowed = (m: string) =>
          m.startsWith("@aws-sdk/") || builtinModules.includes(m.replace(/^node:/, ""));
        expect(
          required.filter((m) => !allowed(m)),
          "modules the Lambda runtime does not provide",
        ).to.deep.equal([]);
        const bytes = Buffer.byteLength(text);
        sizes.push({ route: row.key, bytes, deflated: deflateRawSync(text).length });
        expect(bytes).to.be.lessThan(MAX_ARCHIVE_BYTES);
      });

      it("runs a real sample event like the source does, publishing through PutEvents to the bus", async () => {
        const published = fake.putEvents.length;
        const invocation = await sandbox.invoke(dir, fn.inputs.handler, event, env, NOW);
        expect(invocation.error, invocation.error?.stack ?? invocation.stderr).to.equal(undefined);
        expect(invocation.exitCode, invocation.stderr).to.equal(0);

        // The same processor run in-process from source, with the same clock.
        const local = harness(row.processor, row.key);
        const expected = await local.run(event, new Date(NOW));
        expect(invocation.result).to.deep.equal(JSON.parse(JSON.stringify(expected)));

        const sent = fake.putEvents.slice(published).flat();
        expect(
          sent.map((e) => ({
            source: e.Source,
            detailType: e.DetailType,
            detail: JSON.parse(e.Detail),
            bus: e.EventBusName,
          })),
        ).to.deep.equal(local.published.map((e) => ({ ...e, bus: env.EVENT_BUS_NAME })));
        for (const entry of sent) expect(entry.Source).to.equal(`backbone.${row.processor.name}`);

        const stored = fake.tables[env.IDEMPOTENCY_TABLE]?.[idempotencyKey(row.key, event.id)];
        expect(stored, "idempotency record").to.not.equal(undefined);
        expect(Number(stored.expiresAt.N)).to.be.greaterThan(NOW / 1000);

        expect(invocation.logLines.length).to.be.greaterThan(0);
        for (const line of invocation.logLines) {
          expect(JSON.parse(line), line).to.include({ eventId: event.id, routeKey: row.key });
        }
      });

      it("rejects a malformed detail (put on the bus directly) without throwing or emitting", async () => {
        const malformed = { ...event, id: `${event.id}-malformed`, source: "backbone.other", detail: {} };
        const published = fake.putEvents.length;
        const invocation = await sandbox.invoke(dir, fn.inputs.handler, malformed, env, NOW);
        expect(invocation.error, invocation.error?.stack ?? invocation.stderr).to.equal(undefined);
        expect(invocation.exitCode, invocation.stderr).to.equal(0);
        expect(invocation.result).to.deep.include({ rejected: true });
        expect((invocation.result as { reason: string }).reason).to.match(
          /^detail must have required property/,
        );
        expect(fake.putEvents.length).to.equal(published);
        const stored = fake.tables[env.IDEMPOTENCY_TABLE]?.[idempotencyKey(row.key, malformed.id)];
        expect(JSON.parse(String(stored?.result?.S)).result).to.deep.equal(invocation.result);
        const warnings = invocation.logLines.map((l) => JSON.parse(l)).filter((l) => l.level === "warn");
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.include({ eventId: malformed.id, routeKey: row.key });
      });

      it("a redelivery of the same event returns the stored result and emits nothing", async () => {
        const first = await sandbox.invoke(dir, fn.inputs.handler, event, env, NOW);
        const published = fake.putEvents.length;
        const again = await sandbox.invoke(dir, fn.inputs.handler, event, env, NOW + 60_000);
        expect(again.error, again.stderr).to.equal(undefined);
        expect(again.result).to.deep.equal(first.result);
        expect(fake.putEvents.length).to.equal(published);
      });
    });
  }

  describe("the check itself", () => {
    it("catches a closure that serializes fine and fails when deployed (a captured Map)", async () => {
      const broken = await programFor({ table: "test/infra/aws/fixtures/table-captured-map.ts" });
      expect(broken.error, broken.error?.message).to.equal(undefined);
      const fn = broken.findResource("aws:lambda/function:Function", CAPTURED_MAP_ROW.key);
      const { files } = archiveFiles(fn);
      const dir = sandbox.unpack(CAPTURED_MAP_ROW.key, files);
      const event = fixture("support-ticket.seed");
      expect(event.detail.priority).to.equal("high");
      // From source the processor works...
      const local = await CAPTURED_MAP_ROW.processor.handle(event as never, undefined as never);
      expect(local).to.deep.equal({ team: "senior" });
      // ...and the deployed copy does not.
      const env = { AWS_REGION: "ap-southeast-2", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
      const invocation = await sandbox.invoke(dir, fn.inputs.handler, event, env, NOW);
      expect(invocation.error?.message, JSON.stringify(invocation.result)).to.match(
        /Map.prototype.get called on incompatible receiver|get is not a function/,
      );
    });
  });

  describe("across routes", () => {
    it("some routes emit follow-up events (so the PutEvents assertions are not vacuous)", () => {
      const detailTypes = fake.putEvents.flat().map((e) => e.DetailType);
      expect(detailTypes).to.include("notification-sent");
    });

    it("passes the invocation's X-Ray trace header on every follow-up (TraceHeader), and none without one", async () => {
      const row = routes.find((r) => r.key === "order-created")!;
      const fn = program.findResource("aws:lambda/function:Function", row.key);
      const dir = sandbox.unpack(`${row.key}-traced`, archiveFiles(fn).files);
      const env = {
        ...fn.inputs.environment.variables,
        AWS_ENDPOINT_URL: fake.url,
        AWS_REGION: "ap-southeast-2",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      };
      const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
      const sentBy = async (id: string, extra: Record<string, string>) => {
        const before = fake.putEvents.length;
        const invocation = await sandbox.invoke(
          dir,
          fn.inputs.handler,
          { ...sampleEventFor(row), id },
          { ...env, ...extra },
          NOW,
        );
        expect(invocation.error, invocation.stderr).to.equal(undefined);
        return fake.putEvents.slice(before).flat() as (PutEventsEntry & { TraceHeader?: string })[];
      };
      const traced = await sentBy("trace-1", { _X_AMZN_TRACE_ID: trace });
      expect(traced.length).to.be.greaterThan(0);
      for (const entry of traced) expect(entry.TraceHeader).to.equal(trace);
      const untraced = await sentBy("trace-2", {});
      expect(untraced.length).to.be.greaterThan(0);
      for (const entry of untraced) expect(entry).to.not.have.property("TraceHeader");
    });
  });
});
