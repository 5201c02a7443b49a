/**
 * The `backbone` bin as a user runs it: `npx backbone …` in this repository (package.json `bin`, the `.js`
 * launcher registering ts-node), its exit codes and one-line errors from a real process, and what loading the
 * CLI loads: no Pulumi and nothing of `local/` (it is a client of either target).
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { ROOT, withStack, type Running } from "../../local/helpers";
import { freePort } from "../../support/net";
import { TS_NODE } from "../../support/node";

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[]): Promise<Exit> {
  return new Promise((resolve) =>
    execFile(file, args, { cwd: ROOT, env: { ...process.env, BACKBONE_URL: "" } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe("backbone bin (child processes)", function () {
  // Each run starts Node with ts-node.
  this.timeout(60_000);
  let server: Running;
  withStack((s) => (server = s));

  it("npx backbone health --url …: the local stack's health, exit 0", async () => {
    const { code, stdout, stderr } = await exec("npx", [
      "--no-install",
      "backbone",
      "health",
      "--url",
      server.url,
    ]);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.match(new RegExp(`^target: +${server.url.replace(/\./g, "\\.")}\nstatus: +ok\n`));
  });

  it("an unreachable endpoint from a real process: one line on stderr, exit 2, no stack trace", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await exec(process.execPath, [
      join(ROOT, "infra/cli/bin.js"),
      "routes",
      "--url",
      closed,
    ]);
    expect(code).to.equal(2);
    expect(stdout).to.equal("");
    expect(stderr).to.equal(
      `backbone: cannot reach the local stack at ${closed} (ECONNREFUSED): start it with npm start, or pass --url\n`,
    );
  });

  it("loads neither @pulumi nor local/, even with its AWS side", async () => {
    const probe = `
      const root = process.cwd();
      require("./infra/cli");
      require("./infra/cli/aws");
      const loaded = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({
        pulumi: loaded.filter((p) => p.includes("/node_modules/@pulumi/")),
        local: loaded.filter((p) => p.startsWith(root + "/local/")),
        cli: loaded.filter((p) => p.startsWith(root + "/infra/cli/")).length,
      }));
    `;
    const { code, stdout, stderr } = await exec(process.execPath, [...TS_NODE, "-e", probe]);
    expect(code, stderr).to.equal(0);
    const seen = JSON.parse(stdout);
    expect(seen.pulumi).to.deep.equal([]);
    expect(seen.local).to.deep.equal([]);
    expect(seen.cli).to.be.greaterThan(5);
  });
});
