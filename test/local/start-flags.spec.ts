/**
 * `npm start`'s flags from real processes: `npm start --port N` (npm keeps the flag for itself and hands the
 * script only `N`) listens on N as `npm start -- --port N` does, and an unknown flag is one line with the usage.
 * The cases npm's environment can produce are in options.spec.ts (`applyFlags`).
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { TS_NODE } from "../support/node";
import { freePort, ROOT, sleep, tempDir } from "./helpers";

describe("local stack: npm start's flags, from real processes", function () {
  this.timeout(60_000);
  const temp = tempDir();
  after(() => temp.remove());

  it("npm start --port N listens on N", async () => {
    const port = await freePort();
    const npm = spawn("npm", ["start", "--port", String(port)], {
      cwd: ROOT,
      env: { ...process.env, BACKBONE_DB: join(temp.dir, "flags.db"), LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
      // Its own process group, so the whole tree (npm, sh, node) is stopped at the end.
      detached: true,
    });
    let stderr = "";
    npm.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    try {
      let health: Response | undefined;
      const deadline = Date.now() + 45_000;
      while (!health && Date.now() < deadline && npm.exitCode === null) {
        health = await fetch(`http://127.0.0.1:${port}/local/health`).catch(() => undefined);
        if (!health) await sleep(100);
      }
      expect(health?.status, `nothing answered on port ${port}: ${stderr}`).to.equal(200);
    } finally {
      if (npm.exitCode === null) process.kill(-npm.pid!, "SIGTERM");
      await exited;
    }
  });

  it("an unknown flag is one line with the usage, exit 1", async () => {
    const { code, stderr } = await runMain(["--prot", "4000"]);
    expect(code).to.equal(1);
    expect(stderr.trimEnd().split("\n")).to.deep.equal([
      "backbone: unknown flag --prot; usage: npm start -- [--port 3000] [--host 127.0.0.1] [--db .data/backbone.db]",
    ]);
  });

  it("--help prints the usage and where the settings are, exit 0, starting nothing", async () => {
    const { code, stdout } = await runMain(["--help"]);
    expect(code).to.equal(0);
    expect(stdout.trimEnd().split("\n")).to.deep.equal([
      "usage: npm start -- [--port 3000] [--host 127.0.0.1] [--db .data/backbone.db]",
      "Every setting, its environment variable and its default: the table at the top of local/README.md.",
    ]);
  });
});

/** `local/main.ts` with `args`, run to its exit. */
async function runMain(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [...TS_NODE, "local/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
  return { code, stdout, stderr };
}
