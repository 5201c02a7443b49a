/**
 * The client as a package export: `require("event-backbone/client")` resolves through package.json
 * `"exports"` (while `main` still names the Pulumi program), and loading it loads no Pulumi and nothing of
 * `local/`, so producers can use it without the cloud SDK or the local stack.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TS_NODE } from "../../support/node";

const ROOT = join(__dirname, "..", "..", "..");

describe("producer client package export (event-backbone/client)", function () {
  // One fresh Node process with ts-node.
  this.timeout(60_000);

  it("resolves through package.json exports and loads neither @pulumi nor local/", async () => {
    const probe = `
      const root = process.cwd();
      const client = require("event-backbone/client");
      const loaded = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({
        client: require.resolve("event-backbone/client"),
        main: require.resolve("event-backbone"),
        createClient: typeof client.createClient,
        pulumi: loaded.filter((p) => p.includes("/node_modules/@pulumi/")),
        local: loaded.filter((p) => p.startsWith(root + "/local/")),
        project: loaded.filter((p) => !p.includes("/node_modules/")).length,
      }));
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [...TS_NODE, "-e", probe], { cwd: ROOT }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const seen = JSON.parse(out);
    expect(seen.client).to.equal(join(ROOT, "infra", "client", "index.ts"));
    expect(seen.main).to.equal(join(ROOT, "index.ts"));
    expect(seen.createClient).to.equal("function");
    expect(seen.pulumi, "@pulumi modules loaded by the client").to.deep.equal([]);
    expect(seen.local, "local/ modules loaded by the client").to.deep.equal([]);
    // The probe is not vacuous: it did load the client's own modules (the table, the processors, ...).
    expect(seen.project).to.be.greaterThan(5);
  });

  it("package.json keeps main and names both entry points", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.main).to.equal("index.ts");
    expect(pkg.exports).to.deep.include({ ".": "./index.ts", "./client": "./infra/client/index.ts" });
  });
});
