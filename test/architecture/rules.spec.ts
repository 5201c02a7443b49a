/**
 * The architecture check of `npm run lint` (`test/support/architecture.ts` with `.dependency-cruiser.cjs`)
 * rejects what it is there to reject: a tree with one deliberate violation of each rule, cruised once, gets
 * exactly those violations; the project's own tree gets none (that is the lint step itself).
 */
import { expect } from "chai";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { architectureProblems, MAX_LOCAL_DEPTH } from "../support/architecture";
import { tempDir } from "../support/temp";

const ROOT = resolve(__dirname, "..", "..");

/** Files of the fixture tree: path → source. Comments name the rule each line breaks. */
const TREE: Record<string, string> = {
  "tsconfig.json": JSON.stringify({
    compilerOptions: { module: "commonjs", strict: true },
    include: ["**/*.ts"],
  }),
  "index.ts": `import { buildStack } from "./infra/aws";\nbuildStack();\n`,
  "infra/aws/index.ts": `export function buildStack(): void {}\n`,
  // pattern-is-pure
  "infra/pattern/index.ts": `import { rule } from "../../processors/order";\nexport const match = rule;\n`,
  // infra-never-imports-local + pulumi-only-in-infra-aws
  "infra/table/index.ts": `import "@pulumi/pulumi";\nimport { start } from "../../local/app";\nexport const check = start;\n`,
  // processors-below-infra-and-local
  "processors/order.ts": `import { check } from "../infra/table";\nexport const rule = check;\n`,
  // runtime-is-pure
  "processors/runtime/index.ts": `import { rule } from "../order";\nexport const contract = rule;\n`,
  "local/app.ts": `import { handle } from "./http";\nexport const start = handle;\n`,
  "local/http/index.ts": `export { handle } from "./routes";\n`,
  // through-the-face:local/store (the store's file, not its face)
  "local/http/routes.ts": `import { open } from "../store/open";\nexport const handle = open;\n`,
  "local/store/index.ts": `export { open } from "./open";\n`,
  "local/store/open.ts": `import { a } from "./a";\nexport const open = a;\n`,
  // no-cycle, with type-only imports
  "local/store/a.ts": `import type { B } from "./b";\nexport type A = { b?: B };\nexport const a = 1;\n`,
  "local/store/b.ts": `import type { A } from "./a";\nexport type B = { a?: A };\n`,
  // delivery-and-store-below-http
  "local/delivery/index.ts": `import { handle } from "../http";\nexport const loop = handle;\n`,
};

/** A chain of `n` local modules, each importing the next through a face-only index of the next's folder. */
function chain(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const next = i < n ? `import { m${i + 1} } from "../c${i + 1}";\n` : "";
    files[`local/c${i}/m.ts`] = `${next}export const m${i} = ${i < n ? `m${i + 1}` : 0};\n`;
    files[`local/c${i}/index.ts`] = `export { m${i} } from "./m";\n`;
  }
  return files;
}

function problemsOf(files: Record<string, string>): string[] {
  const { dir, remove } = tempDir();
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    return architectureProblems(
      dir,
      ["infra", "processors", "local", "index.ts"].filter(
        (p) => p in files || Object.keys(files).some((f) => f.startsWith(`${p}/`)),
      ),
    );
  } finally {
    remove();
  }
}

describe("architecture rules (npm run lint)", function () {
  this.timeout(30_000);
  let problems: string[];
  before(() => {
    problems = problemsOf({ ...TREE, ...chain(MAX_LOCAL_DEPTH + 1) });
  });

  const expected: [rule: string, from: string, to: string][] = [
    ["no-cycle", "local/store/a.ts", "local/store/b.ts → local/store/a.ts"],
    ["pattern-is-pure", "infra/pattern/index.ts", "processors/order.ts"],
    ["runtime-is-pure", "processors/runtime/index.ts", "processors/order.ts"],
    ["processors-below-infra-and-local", "processors/order.ts", "infra/table/index.ts"],
    ["infra-never-imports-local", "infra/table/index.ts", "local/app.ts"],
    ["delivery-and-store-below-http", "local/delivery/index.ts", "local/http/index.ts"],
    ["pulumi-only-in-infra-aws", "infra/table/index.ts", "node_modules/@pulumi/pulumi/"],
    ["through-the-face:local/store", "local/http/routes.ts", "local/store/open.ts"],
  ];

  for (const [rule, from, to] of expected) {
    it(`rejects ${rule}: ${from} → ${to}`, () => {
      expect(
        problems.some((p) => p.startsWith(`${rule}: ${from} → `) && p.includes(to)),
        problems.join("\n"),
      ).to.equal(true);
    });
  }

  it("reports nothing it was not given: one problem per deliberate violation, and the depth", () => {
    const reported = problems.map((p) =>
      p
        .split(":")
        .slice(0, p.startsWith("through-the-face") ? 2 : 1)
        .join(":"),
    );
    expect(reported.sort()).to.deep.equal([...expected.map(([rule]) => rule), "local-depth"].sort());
  });

  it(`rejects local/ deeper than ${MAX_LOCAL_DEPTH} modules, counting no face as a layer`, () => {
    const depth = problems.find((p) => p.startsWith("local-depth: "));
    expect(depth).to.match(new RegExp(`^local-depth: ${MAX_LOCAL_DEPTH + 1} layers`));
    expect(depth).to.include("local/c1/m.ts → local/c2/m.ts");
    expect(depth).not.to.include("index.ts");
  });

  it(`accepts local/ exactly ${MAX_LOCAL_DEPTH} modules deep`, () => {
    expect(problemsOf({ "tsconfig.json": TREE["tsconfig.json"], ...chain(MAX_LOCAL_DEPTH) })).to.deep.equal(
      [],
    );
  });
});
