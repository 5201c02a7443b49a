// mocha's global fixtures (.mocharc.json requires this file): run once per mocha run, in the main process, before
// any worker starts. Makes the folder where the processes of this run share their Pulumi program runs
// (test/infra/aws/harness/program.ts); the workers inherit its path through the environment.
"use strict";
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const SHARED_RUNS_ENV = "BACKBONE_PROGRAM_RUNS";

module.exports = {
  SHARED_RUNS_ENV,
  mochaGlobalSetup() {
    process.env[SHARED_RUNS_ENV] = mkdtempSync(join(tmpdir(), "backbone-program-runs-"));
  },
  mochaGlobalTeardown() {
    const dir = process.env[SHARED_RUNS_ENV];
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
};
