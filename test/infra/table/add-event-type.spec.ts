/**
 * "Add an event type = one processor file + one row", proven: the README's own code (section "Add an event
 * type") is applied to a temporary copy of the project, then the table-driven specs run there with `--grep` on
 * the new type, and `contract:check` passes. No spec is edited: every new test below comes from the table.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { sharedDir } from "../../support/shared";

const ROOT = join(__dirname, "..", "..", "..");

/** The specs that take their cases from the table; each must cover the new type. */
const TABLE_DRIVEN = [
  "test/processors/schemas.spec.ts",
  "test/infra/table/validator.spec.ts",
  "test/infra/table/asyncapi.spec.ts",
  "test/infra/aws/api/model.spec.ts",
  "test/infra/aws/api/request-template.spec.ts",
  "test/processors/runtime/lambda.spec.ts",
  "test/infra/aws/routes-graph.spec.ts",
  "test/infra/aws/schemas-graph.spec.ts",
  "test/infra/aws/deployed-code.spec.ts",
  "test/local/table-routing.spec.ts",
];

/** Of test/local, what the copy needs: the local routing spec and its helpers (the rest stays out: it is slow). */
const LOCAL_SPECS_KEPT = ["test/local/table-routing.spec.ts", "test/local/helpers.ts"];

/** What the README tells a new user to write: the processor file and the routing-table addition. */
interface ReadmeSteps {
  processorPath: string;
  processorSource: string;
  imports: string[];
  row: string;
  detailType: string;
}

/** Reads the two code blocks of README "Add an event type": `// processors/<name>.ts` and `// infra/routes.ts`. */
function readmeSteps(): ReadmeSteps {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Add an event type"));
  if (!section) throw new Error('README has no "## Add an event type" section');
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const processorBlock = blocks.find((b) => /^\/\/ processors\/[\w-]+\.ts/.test(b));
  const routesBlock = blocks.find((b) => b.startsWith("// infra/routes.ts"));
  if (!processorBlock || !routesBlock) {
    throw new Error(
      "README's section needs a `// processors/<name>.ts` block and a `// infra/routes.ts` block",
    );
  }
  const lines = routesBlock.split("\n").slice(1);
  const detailType = processorBlock.match(/detailType: "([^"]+)"/)?.[1];
  if (!detailType) throw new Error("README's processor block names no detailType");
  return {
    processorPath: processorBlock.split("\n")[0].slice("// ".length).trim(),
    processorSource: processorBlock,
    imports: lines.filter((l) => l.startsWith("import ")),
    row: lines.filter((l) => !l.startsWith("import ")).join("\n"),
    detailType,
  };
}

/** A copy of what the specs need (not the benches, of test/local only the routing spec), sharing node_modules by a symlink. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "backbone-add-type-"));
  for (const file of ["index.ts", "package.json", "tsconfig.json", "Pulumi.yaml"]) {
    cpSync(join(ROOT, file), join(dir, file));
  }
  for (const folder of ["infra", "processors", "local"])
    cpSync(join(ROOT, folder), join(dir, folder), { recursive: true });
  cpSync(join(ROOT, "test"), join(dir, "test"), {
    recursive: true,
    filter: (src) => {
      const path = relative(ROOT, src).split(sep).join("/");
      if (/^test\/(scenarios|bench)(\/|$)/.test(path)) return false;
      if (!/^test\/local\//.test(path)) return true;
      return LOCAL_SPECS_KEPT.includes(path);
    },
  });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Applies the README's steps to the copy: writes the processor file, adds the imports and the row. */
function applySteps(dir: string, steps: ReadmeSteps): void {
  writeFileSync(join(dir, steps.processorPath), steps.processorSource);
  const routesPath = join(dir, "infra", "routes.ts");
  const routes = readFileSync(routesPath, "utf8");
  const lastImport = [...routes.matchAll(/^import .*;$/gm)].pop()!;
  const end = "] satisfies readonly RouteRow[];";
  if (!routes.includes(end)) throw new Error(`infra/routes.ts no longer ends its table with "${end}"`);
  const at = lastImport.index! + lastImport[0].length;
  const edited = `${routes.slice(0, at)}\n${steps.imports.join("\n")}${routes.slice(at)}`.replace(
    end,
    `${steps.row.trimEnd()}\n${end}`,
  );
  writeFileSync(routesPath, edited);
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(dir: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      args,
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        // The copy reads the project's transpile cache (its unchanged files have the same paths inside it and
        // the same text) but does not write to it. Its Pulumi program runs are kept like the project's, under
        // the digest of its own files (the same copy each time, until the README or the code changes).
        env: { ...process.env, BACKBONE_SHARED: sharedDir(), BACKBONE_TS_CACHE: "read-only" },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** Mocha's JSON reporter output. */
interface MochaReport {
  stats: { passes: number; failures: number; pending: number };
  passes: { fullTitle: string; file: string }[];
  failures: { fullTitle: string; file: string; err: { message: string } }[];
}

const steps = readmeSteps();

describe(`adding "${steps.detailType}" the README's way (one processor file, one row) in a copy of the project`, function () {
  // Two child processes; the specs' own Pulumi program runs dominate (about 10 s alone, more on a busy machine).
  this.timeout(300_000);
  let dir: string;
  let report: MochaReport;
  let check: Outcome;

  before(async () => {
    dir = copyProject();
    applySteps(dir, steps);
    const mocha = [
      join(dir, "node_modules", "mocha", "bin", "mocha.js"),
      "--no-config",
      "--require",
      join(dir, "test", "support", "register.js"),
      "--extension",
      "ts",
      "--timeout",
      "180000",
      "--reporter",
      "json",
      "--grep",
      steps.detailType,
      ...TABLE_DRIVEN,
    ];
    const contractCheck = [
      "-r",
      join(dir, "test", "support", "register.js"),
      "infra/catalog/cli.ts",
      "check",
    ];
    const [specs, gate] = await Promise.all([run(dir, mocha), run(dir, contractCheck)]);
    check = gate;
    try {
      report = JSON.parse(specs.stdout.slice(specs.stdout.indexOf("{")));
    } catch {
      throw new Error(`mocha printed no JSON report (exit ${specs.code}):\n${specs.stderr}\n${specs.stdout}`);
    }
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    // The new type's tests, as they ran in the copy: the report shows what the table alone produced.
    if (report) {
      console.log(`      tests of "${steps.detailType}" that ran in the copy, per spec:`);
      for (const spec of TABLE_DRIVEN) {
        const ran = report.passes.filter((p) => p.file.endsWith(spec));
        console.log(`        ${String(ran.length).padStart(3)}  ${spec}`);
      }
    }
  });

  it("the table-driven specs pass on it", () => {
    const failed = report.failures.map((f) => `${f.fullTitle}: ${f.err.message}`);
    expect(failed).to.deep.equal([]);
    expect(report.stats.pending).to.equal(0);
  });

  for (const spec of TABLE_DRIVEN) {
    it(`${spec} runs tests of "${steps.detailType}"`, () => {
      const ran = report.passes.filter((p) => p.file.endsWith(spec)).map((p) => p.fullTitle);
      expect(ran, `no test of ${spec} names the new type`).to.not.deep.equal([]);
      for (const title of ran) expect(title).to.contain(steps.detailType);
    });
  }

  it("contract:check passes, noting the new type for `npm run catalog`", () => {
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.stdout).to.contain(
      `note "${steps.detailType}" is new: run \`npm run catalog\` to publish it`,
    );
  });
});
