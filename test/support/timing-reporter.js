// Where the suite's time goes: `npx mocha --reporter ./test/support/timing-reporter.js 'test/**/*.spec.ts'`
// (serial: in parallel mode a worker reports a file's events only once it has finished, so per-file wall times
// would be meaningless). Prints the slowest files (wall time from their first suite's start to their last
// suite's end, hooks included), hooks and tests, then the summary line the summary reporter prints.
"use strict";
const Mocha = require("mocha");

const {
  EVENT_SUITE_BEGIN,
  EVENT_SUITE_END,
  EVENT_HOOK_BEGIN,
  EVENT_HOOK_END,
  EVENT_TEST_END,
  EVENT_RUN_END,
} = Mocha.Runner.constants;
const TOP = Number(process.env.TIMING_TOP ?? 25);

class TimingReporter extends Mocha.reporters.Base {
  constructor(runner, options) {
    super(runner, options);
    const started = Date.now();
    const files = new Map();
    const hookStarts = new Map();
    const hooks = [];
    const tests = [];
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (!suite.file || !suite.parent?.root) return;
      const f = files.get(suite.file) ?? { ms: 0, tests: 0 };
      f.since = Date.now();
      files.set(suite.file, f);
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const f = suite.file && suite.parent?.root ? files.get(suite.file) : undefined;
      if (f) f.ms += Date.now() - f.since;
    });
    runner.on(EVENT_HOOK_BEGIN, (hook) => hookStarts.set(hook, Date.now()));
    runner.on(EVENT_HOOK_END, (hook) => {
      hooks.push({ ms: Date.now() - hookStarts.get(hook), title: hook.fullTitle(), file: hook.file });
    });
    runner.on(EVENT_TEST_END, (test) => {
      tests.push({ ms: test.duration ?? 0, title: test.fullTitle(), file: test.file });
      const f = files.get(test.file);
      if (f) f.tests += 1;
    });
    runner.once(EVENT_RUN_END, () => {
      const rel = (file) => (file ?? "").replace(process.cwd() + "/", "");
      const line = (ms, text) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${text}\n`;
      let out = `\nslowest files (of ${files.size}; wall, hooks included):\n`;
      for (const [file, f] of [...files].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)) {
        out += line(f.ms, `${rel(file)} (${f.tests} tests)`);
      }
      out += "slowest hooks:\n";
      for (const h of hooks.sort((a, b) => b.ms - a.ms).slice(0, TOP))
        out += line(h.ms, `${rel(h.file)}: ${h.title}`);
      out += "slowest tests:\n";
      for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, TOP))
        out += line(t.ms, `${rel(t.file)}: ${t.title}`);
      const { passes, failures, pending } = this.stats;
      out += line(Date.now() - started, "in all");
      out += `\ntests: ${passes} passed, ${failures} failed, ${pending} skipped\n`;
      this.epilogue(); // mocha's own summary and the failures, with their stacks
      process.stdout.write(out);
    });
  }
}

module.exports = TimingReporter;
