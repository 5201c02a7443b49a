/**
 * `npm run contract:check` and `npm run catalog` end to end: the real script, run on temporary copies of the
 * committed catalog, some modified the way a careless edit would.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { routes } from "../../../infra/routes";
import { asyncApiDocument, eventCatalog } from "../../../infra/table";
import { TS_NODE } from "../../support/node";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "infra", "catalog", "cli.ts");
const COMMITTED = join(ROOT, "infra", "catalog", "asyncapi.json");

/** Runs the script; resolves with its exit code and output (never rejects on a non-zero exit). */
function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TS_NODE, CLI, ...args], { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
    );
  });
}

describe("contract:check and catalog scripts, end to end", function () {
  // Five script runs in parallel, each a fresh ts-node process (a few seconds on a shared machine).
  this.timeout(120_000);
  let dir: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const committed = () => JSON.parse(readFileSync(COMMITTED, "utf8")) as any;
  const file = (name: string, doc: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(doc, null, 2));
    return path;
  };
  let results: Record<string, { code: number; out: string }>;
  let paths: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "backbone-catalog-"));
    // The published contract promised a required field the table no longer has: a removed field.
    const promisedMore = committed();
    const order = promisedMore.components.messages["order-created"].payload;
    order.properties.legacyId = { type: "string" };
    order.required.push("legacyId");
    // The published contract lacked an optional field the table has: a compatible change.
    const promisedLess = committed();
    delete promisedLess.components.messages["order-created"].payload.properties.currency;
    paths = {
      unchanged: file("unchanged.json", committed()),
      checkBreaking: file("check-breaking.json", promisedMore),
      writeBreaking: file("write-breaking.json", promisedMore),
      writeCompatible: file("write-compatible.json", promisedLess),
    };
    const [unchanged, checkBreaking, writeBreaking, writeCompatible, badTable] = await Promise.all([
      run(["check", "--catalog", paths.unchanged]),
      run(["check", "--catalog", paths.checkBreaking]),
      run(["write", "--catalog", paths.writeBreaking]),
      run(["write", "--catalog", paths.writeCompatible]),
      run([
        "write",
        "--catalog",
        paths.unchanged,
        "--routes",
        "test/infra/aws/fixtures/table-bad-pattern.ts",
      ]),
    ]);
    results = { unchanged, checkBreaking, writeBreaking, writeCompatible, badTable };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("check passes against the committed catalog", () => {
    expect(results.unchanged.code, results.unchanged.out).to.equal(0);
    expect(results.unchanged.out).to.contain(
      `contract check passed: ${eventCatalog(routes).length} detail-types`,
    );
  });

  it("check notes a catalog that is out of date in no contract (a description, an example) and still passes", async () => {
    const stale = committed();
    stale.channels["order-created"].description = "an older wording";

    const result = await run(["check", "--catalog", file("stale.json", stale)]);

    expect(result.code, result.out).to.equal(0);
    expect(result.out).to.contain("note the committed catalog differs from what `npm run catalog` writes");
    expect(results.unchanged.out).to.not.contain("note the committed catalog differs");
  });

  it("check fails on a removed field, naming the type, the field and what to do", () => {
    expect(results.checkBreaking.code, results.checkBreaking.out).to.equal(1);
    expect(results.checkBreaking.out).to.contain('FAIL "order-created" version 1 has breaking changes');
    expect(results.checkBreaking.out).to.contain("detail.legacyId: field removed");
    expect(results.checkBreaking.out).to.contain("bump the schema's version (2) and run `npm run catalog`");
  });

  it("catalog refuses to overwrite a published contract with a breaking change at the same version", () => {
    expect(results.writeBreaking.code, results.writeBreaking.out).to.equal(1);
    expect(results.writeBreaking.out).to.contain("catalog NOT written");
    expect(JSON.parse(readFileSync(paths.writeBreaking, "utf8"))).to.deep.equal(
      JSON.parse(readFileSync(paths.checkBreaking, "utf8")),
    );
  });

  it("catalog publishes a compatible change: the file becomes the table's document", () => {
    expect(results.writeCompatible.code, results.writeCompatible.out).to.equal(0);
    expect(results.writeCompatible.out).to.contain("detail.currency: new optional field");
    const written = JSON.parse(readFileSync(paths.writeCompatible, "utf8"));
    const expected = asyncApiDocument(routes, { title: written.info.title, version: written.info.version });
    expect(written).to.deep.equal(JSON.parse(JSON.stringify(expected)));
  });

  it("writes no catalog of an invalid table, naming the row", () => {
    expect(results.badTable.code, results.badTable.out).to.equal(1);
    expect(results.badTable.out).to.contain("FAIL the routing table is invalid");
    expect(results.badTable.out).to.contain('route "broken-pattern"');
    expect(readFileSync(paths.unchanged, "utf8")).to.equal(JSON.stringify(committed(), null, 2));
  });

  it("refuses an unknown command or flag with a usage error", async () => {
    const bad = await run(["check", "--allow-removal"]);
    expect(bad.code).to.equal(2);
    expect(bad.out).to.contain("usage:");
  });
});
