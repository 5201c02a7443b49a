/**
 * `npm start`'s flags: `applyFlags` turns `--port`, `--host` and `--db`, however npm hands them over, into the
 * environment the options are read from (options.spec.ts has the options themselves).
 */
import { expect } from "chai";
import { applyFlags, DEFAULTS, FLAGS, settingsFromEnv, StartError } from "../../local/options";

describe("local stack: npm start's flags (applyFlags)", () => {
  // What npm hands the script (measured with npm 11): `npm start --port 4000` → argv ["4000"] and
  // npm_config_port=true; `npm start --port=4000` → argv [] and npm_config_port=4000; after `--`, the flags.
  const npm = { npm_lifecycle_event: "start" };
  const accepted: { title: string; argv: string[]; env: NodeJS.ProcessEnv; expected: NodeJS.ProcessEnv }[] = [
    {
      title: "npm start -- --port 4000",
      argv: ["--port", "4000"],
      env: npm,
      expected: { PORT: "4000" },
    },
    {
      title: "npm start --port 4000",
      argv: ["4000"],
      env: { ...npm, npm_config_port: "true" },
      expected: { PORT: "4000" },
    },
    {
      title: "npm start --port=4000",
      argv: [],
      env: { ...npm, npm_config_port: "4000" },
      expected: { PORT: "4000" },
    },
    {
      title: "npm start --host 0.0.0.0",
      argv: ["0.0.0.0"],
      env: { ...npm, npm_config_host: "true" },
      expected: { HOST: "0.0.0.0" },
    },
    {
      title: "npm start --db /tmp/x.db",
      argv: ["/tmp/x.db"],
      env: { ...npm, npm_config_db: "true" },
      expected: { BACKBONE_DB: "/tmp/x.db" },
    },
    {
      title: "npm start --port=4000 --host=::1 --db=/tmp/x.db",
      argv: [],
      env: { ...npm, npm_config_port: "4000", npm_config_host: "::1", npm_config_db: "/tmp/x.db" },
      expected: { PORT: "4000", HOST: "::1", BACKBONE_DB: "/tmp/x.db" },
    },
    {
      title: "npm start --port 4000 -- --host ::1 (one taken, one passed on)",
      argv: ["4000", "--host", "::1"],
      env: { ...npm, npm_config_port: "true" },
      expected: { PORT: "4000", HOST: "::1" },
    },
    {
      title: "npm start --port=4000 beside npm's own settings (none of them is taken for a typo)",
      argv: [],
      env: {
        ...npm,
        npm_config_port: "4000",
        npm_config_cache: "/root/.npm",
        npm_config_yes: "",
        npm_config_loglevel: "silent",
      },
      expected: { PORT: "4000" },
    },
    {
      title: "node local/main.ts --port=4000 (no npm: its variables are not read)",
      argv: ["--port=4000"],
      env: { npm_config_host: "true" },
      expected: { PORT: "4000" },
    },
    {
      title: "a flag wins over the environment",
      argv: ["--port", "4000"],
      env: { PORT: "5000" },
      expected: { PORT: "4000" },
    },
  ];
  for (const c of accepted) {
    it(`${c.title}: ${JSON.stringify(c.expected)}`, () => {
      const out = applyFlags(c.argv, c.env);
      expect(settingsFromEnv(out).port).to.equal(Number(c.expected.PORT ?? DEFAULTS.port));
      for (const [variable, value] of Object.entries(c.expected))
        expect(out[variable], variable).to.equal(value);
      for (const variable of Object.values(FLAGS)) {
        if (!(variable in c.expected)) expect(out[variable], variable).to.equal(c.env[variable]);
      }
    });
  }

  const refused: { title: string; argv: string[]; env: NodeJS.ProcessEnv; message: RegExp }[] = [
    {
      title: "an unknown flag",
      argv: ["--prot", "4000"],
      env: npm,
      message: /^unknown flag --prot; usage: npm start -- \[--port 3000\]/,
    },
    { title: "a short flag", argv: ["-p", "4000"], env: npm, message: /^unknown flag -p; usage:/ },
    { title: "a flag without a value", argv: ["--port"], env: npm, message: /^--port needs a value; usage:/ },
    {
      title: "npm start --port (no value)",
      argv: [],
      env: { ...npm, npm_config_port: "true" },
      message: /^--port needs a value/,
    },
    {
      title: "an argument of no flag",
      argv: ["4000"],
      env: npm,
      message: /^unexpected argument 4000 \(after a flag npm start does not know, which npm keeps\); usage:/,
    },
    {
      // npm keeps a flag it does not know as its own config: the script sees npm_config_prot and no argument.
      title: "npm start --prot=4000 (a typo npm kept)",
      argv: [],
      env: { ...npm, npm_config_prot: "4000" },
      message: /^npm start does not know --prot \(npm kept it for itself\); did you mean --port\? usage:/,
    },
    {
      title: "npm start --hots 0.0.0.0 (a typo npm kept, its value passed on alone)",
      argv: ["0.0.0.0"],
      env: { ...npm, npm_config_hots: "true" },
      message: /^npm start does not know --hots .*did you mean --host\?/,
    },
    {
      title: "npm start --listen 4000 (a flag npm took, its value passed on alone)",
      argv: ["4000"],
      // npm 11 sets npm_config_omit_lockfile_registry_resolved=true itself: which flag it took cannot be told.
      env: { ...npm, npm_config_listen: "true", npm_config_omit_lockfile_registry_resolved: "true" },
      message: /^unexpected argument 4000 \(after a flag npm start does not know, which npm keeps\); usage:/,
    },
    {
      title: "two flags npm took with spaces (their order is lost)",
      argv: ["4000", "::1"],
      env: { ...npm, npm_config_port: "true", npm_config_host: "true" },
      message:
        /^npm kept --port, --host for itself .* --port=… --host=…, or after --: npm start -- --port … --host …$/,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.title} in one line with what to write`, () => {
      expect(() => applyFlags(c.argv, c.env))
        .to.throw(StartError)
        .that.satisfies((e: Error) => !e.message.includes("\n"))
        .and.has.property("message")
        .that.matches(c.message);
    });
  }
});
