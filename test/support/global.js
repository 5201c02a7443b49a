// mocha's global fixtures (.mocharc.json requires this file): run once per mocha run, in the main process, before
// any worker starts. Makes the folder where the processes of this run share their Pulumi program runs
// (test/infra/aws/harness/program.ts); the workers inherit its path through the environment.
"use strict";
const { existsSync, mkdtempSync, readFileSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const SHARED_RUNS_ENV = "BACKBONE_PROGRAM_RUNS";

module.exports = {
  SHARED_RUNS_ENV,
  mochaGlobalSetup() {
    process.env[SHARED_RUNS_ENV] = mkdtempSync(join(tmpdir(), "backbone-program-runs-"));
    // The AWS SDK's notice that its 2027 releases need Node 22, printed by every spec process that loads it on
    // Node 20 (README "Run it locally" says what it means); the CLI and the processor workers turn it off too.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  },
  mochaGlobalTeardown() {
    const dir = process.env[SHARED_RUNS_ENV];
    if (!dir) return;
    // Says whether the Pulumi program ran or came from the cache between runs (test/infra/aws/harness/program.ts).
    const tally = join(dir, "tally");
    if (existsSync(tally)) {
      const lines = readFileSync(tally, "utf8").split("\n");
      const ran = lines.filter((l) => l.startsWith("ran ")).length;
      const reused = lines.filter((l) => l.startsWith("reused ")).length;
      // BACKBONE_TEST_CACHE_VERBOSE=1 lists each run with its options (which ran, which were reused).
      if (process.env.BACKBONE_TEST_CACHE_VERBOSE) console.log(lines.join("\n"));
      console.log(
        `Pulumi program runs: ${ran} ran, ${reused} unchanged since an earlier npm test and reused` +
          (reused > 0 ? " (BACKBONE_TEST_CACHE=off npm test runs every one)" : ""),
      );
    }
    rmSync(dir, { recursive: true, force: true });
  },
};
