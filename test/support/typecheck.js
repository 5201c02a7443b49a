// `npm run lint:types`: `tsc -b test/support/tsconfig.check.json`, tsc's build mode, which skips the check while
// no input is newer than the build info of its last pass (0.7 s instead of ~8 s here) and checks incrementally
// otherwise. With `noEmit` tsc leaves that file's time alone when nothing changed, so every later run would
// check again: after a pass it gets the time the check started (an input edited meanwhile stays newer).
"use strict";
const { spawnSync } = require("node:child_process");
const { existsSync, utimesSync } = require("node:fs");
const { join } = require("node:path");

const ROOT = join(__dirname, "..", "..");
const INFO = join(ROOT, "node_modules", ".cache", "tsc", "check.tsbuildinfo");
const started = new Date();
const tsc = spawnSync(
  process.execPath,
  [
    require.resolve("typescript/bin/tsc"),
    "-b",
    join(__dirname, "tsconfig.check.json"),
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", cwd: ROOT },
);
if (tsc.status === 0 && existsSync(INFO)) utimesSync(INFO, started, started);
process.exitCode = tsc.status ?? 1;
