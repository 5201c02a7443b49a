// `node test/support/run-steps.js [--live SCRIPT] SCRIPT...`: runs the named npm scripts at once (npm test's
// lint steps and the suite are independent of each other), prints each one's output together when it ends, with
// its wall time, and exits 1 if any failed. The `--live` one (the suite) writes straight to the terminal as it
// goes. Beside the suite, the lint steps' time overlaps it; run before it, they took 10.6 s of a warm npm test.
// Written here rather than taken from npm-run-all or concurrently for the per-step wall times it prints.
"use strict";
const { spawn } = require("node:child_process");

const argv = process.argv.slice(2);
const live = argv[0] === "--live" ? argv[1] : undefined;
const scripts = live ? argv.slice(2).concat(live) : argv;
if (scripts.length === 0) {
  console.error("usage: node test/support/run-steps.js SCRIPT...");
  process.exit(2);
}
const npm = process.env.npm_execpath;
const started = Date.now();

const runs = scripts.map(
  (script) =>
    new Promise((resolve) => {
      const t0 = Date.now();
      // Through npm (as `npm run` would), so each script sees the same environment and node_modules/.bin.
      const [command, args] = npm
        ? [process.execPath, [npm, "run", "--silent", script]]
        : ["npm", ["run", "--silent", script]];
      const child = spawn(command, args, {
        stdio: script === live ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout?.on("data", (d) => (output += d));
      child.stderr?.on("data", (d) => (output += d));
      child.on("close", (code) => {
        const seconds = ((Date.now() - t0) / 1000).toFixed(1);
        process.stdout.write(`${code === 0 ? "ok  " : "FAIL"} ${script} (${seconds} s)\n`);
        if (output.trim() !== "")
          process.stdout.write(output.replace(/^/gm, `  ${script} | `).trimEnd() + "\n");
        resolve(code === 0);
      });
    }),
);

Promise.all(runs).then((oks) => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = scripts.filter((_, i) => !oks[i]);
  process.stdout.write(
    failed.length === 0
      ? `all ${scripts.length} steps passed in ${seconds} s\n`
      : `failed: ${failed.join(", ")}\n`,
  );
  process.exitCode = failed.length === 0 ? 0 : 1;
});
