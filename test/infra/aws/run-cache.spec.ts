/**
 * The cache of Pulumi program runs between mocha runs (harness/runs.ts): a run is reused only while every
 * file it can read is unchanged.
 */
import { expect } from "chai";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { programFor, type Program, type RunOptions } from "./harness/program";
import { inputsDigest, normalized, runsInOneRunner } from "./harness/runs";

describe("Pulumi program runs kept between mocha runs: the key", () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "backbone-run-cache-"));
    write("index.ts", "export {};\n");
    write("infra/routes.ts", "export const routes = {};\n");
    write("processors/order.ts", "export const a = 1;\n");
    write("test/infra/aws/fixtures/table.ts", "export const routes = {};\n");
    write("test/infra/aws/names.spec.ts", "// a spec\n");
    write("package-lock.json", "{}\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const cases: { change: string; path: string; text: string; runsAgain: boolean }[] = [
    { change: "a processor", path: "processors/order.ts", text: "export const a = 2;\n", runsAgain: true },
    { change: "a new processor file", path: "processors/user.ts", text: "export {};\n", runsAgain: true },
    {
      change: "the table",
      path: "infra/routes.ts",
      text: "export const routes = { a: 1 };\n",
      runsAgain: true,
    },
    { change: "a fixture", path: "test/infra/aws/fixtures/table.ts", text: "//\n", runsAgain: true },
    { change: "the lock file", path: "package-lock.json", text: '{"v":2}\n', runsAgain: true },
    {
      change: "a spec (no run reads one)",
      path: "test/infra/aws/names.spec.ts",
      text: "// b\n",
      runsAgain: false,
    },
    { change: "local/ (the program never imports it)", path: "local/app.ts", text: "//\n", runsAgain: false },
  ];
  for (const c of cases) {
    it(`${c.runsAgain ? "runs again after" : "reuses the run after"} a change to ${c.change}`, () => {
      const before = inputsDigest(root);
      write(c.path, c.text);

      const after = inputsDigest(root);

      if (c.runsAgain) expect(after).to.not.equal(before);
      else expect(after).to.equal(before);
    });
  }

  it("is the same key for a copy of the project with the same files (a run names no path of its root)", () => {
    const copy = mkdtempSync(join(tmpdir(), "backbone-run-cache-"));
    try {
      cpSync(root, copy, { recursive: true });

      expect(inputsDigest(copy)).to.equal(inputsDigest(root));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("Pulumi program runs kept between mocha runs: what makes a copy's runs the same", function () {
  this.timeout(180_000);
  it("the default run's output names no path of the project's root", async () => {
    const program = await programFor();

    const text = JSON.stringify([program.resources, program.outputs, program.logs]);

    expect(text).to.not.include(join(__dirname, "..", "..", ".."));
  });
});

describe("Pulumi program runs: a process's runner declares what a process of its own declares", function () {
  this.timeout(180_000);
  /** A run's document with its resources in one order (the order they register in is not the program's). */
  const comparable = (json: string) => {
    const run = JSON.parse(json);
    run.resources.sort((a: { type: string; name: string }, b: { type: string; name: string }) =>
      `${a.type}::${a.name}` < `${b.type}::${b.name}` ? -1 : 1,
    );
    return run;
  };
  const documentOf = (program: Program) =>
    JSON.stringify({
      resources: program.resources,
      outputs: program.outputs,
      secretOutputs: program.secretOutputs,
      logs: program.logs,
      error: program.error,
    });

  it("the default run, after runs with another stack and config in the same runner, one of them failing", async () => {
    const [alone, [other, failed, after]] = await Promise.all([
      programFor({ ownProcess: true }),
      runsInOneRunner([
        { stack: "team.prod", config: { auth: "none" } },
        { config: { logRetentionDays: "8" } },
        {},
      ]),
    ]);

    expect(alone.error, alone.error?.message).to.equal(undefined);
    expect(comparable(other).error).to.equal(undefined);
    expect(comparable(failed).error.resourceError).to.equal(true);
    expect(comparable(after)).to.deep.equal(comparable(documentOf(alone)));
  });
});

describe("Pulumi program runs: one run however its options are spelled", () => {
  const cases: { title: string; a: RunOptions; b: RunOptions }[] = [
    { title: "no options and an empty config", a: {}, b: { config: {} } },
    { title: "no options and an empty stack name", a: {}, b: { stack: "" } },
    {
      title: "config keys in another order",
      a: { config: { x: "1", y: "2" } },
      b: { config: { y: "2", x: "1" } },
    },
  ];
  for (const c of cases) {
    it(`is the same run for ${c.title}`, () => {
      expect(JSON.stringify(normalized(c.a))).to.equal(JSON.stringify(normalized(c.b)));
    });
  }

  it("is another run for another config value", () => {
    expect(JSON.stringify(normalized({ config: { x: "1" } }))).to.not.equal(
      JSON.stringify(normalized({ config: { x: "2" } })),
    );
  });
});
