/**
 * `npm run catalog` and `npm run contract:check`: writes the AsyncAPI catalog of the routing table, or checks
 * the table against the committed one (see `infra/table/contract-gate.ts` for what each refuses).
 *
 *   node -r ts-node/register/transpile-only infra/catalog/cli.ts write [--catalog FILE] [--routes MODULE] [--allow-removal]
 *   node -r ts-node/register/transpile-only infra/catalog/cli.ts check [--catalog FILE] [--routes MODULE]
 *
 * `--catalog` defaults to `infra/catalog/asyncapi.json`, `--routes` (a module exporting `routes`) to
 * `infra/routes.ts`; the tests point them at temporary copies and fixture tables. Exit code 0 on success, 1 when
 * the table is invalid or the gate fails, 2 on a usage error. The file is written formatted by prettier, so
 * `prettier --check` accepts it as generated.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { routes as tableRoutes } from "../routes";
import {
  asyncApiDocument,
  catalogContracts,
  checkFailures,
  checkRoutes,
  formatProblems,
  contractFindings,
  tableContracts,
  writeFailures,
  type AsyncApiDocument,
  type Finding,
  type RouteRow,
} from "../table";

const ROOT = join(__dirname, "..", "..");
/** Where the committed catalog lives. */
export const CATALOG_PATH = join(ROOT, "infra", "catalog", "asyncapi.json");

/** The table the commands run on: `infra/routes.ts`, or `--routes`. */
let routes: readonly RouteRow[] = tableRoutes;

function currentDocument(): AsyncApiDocument {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  return asyncApiDocument(routes, { title: `${pkg.name} events`, version: pkg.version });
}

function committed(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

function committedFindings(file: string): Finding[] | undefined {
  if (!existsSync(file)) return undefined;
  return contractFindings(catalogContracts(committed(file) as AsyncApiDocument), tableContracts(routes));
}

function report(findings: readonly Finding[], failing: readonly Finding[]): void {
  for (const f of findings) {
    const mark = failing.includes(f) ? "FAIL" : "note";
    console.log(`${mark} ${f.message}`);
  }
}

async function write(file: string, allowRemoval: boolean): Promise<number> {
  const findings = committedFindings(file) ?? [];
  const failing = writeFailures(findings, { allowRemoval });
  report(findings, failing);
  if (failing.length > 0) {
    console.log(
      `catalog NOT written: ${failing.length} detail-type(s) would break their consumers or producers`,
    );
    return 1;
  }
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(JSON.stringify(currentDocument()), { ...options, filepath: file });
  writeFileSync(file, text);
  console.log(`catalog written: ${file}`);
  return 0;
}

function check(file: string): number {
  const findings = committedFindings(file);
  if (findings === undefined) {
    console.log(`FAIL no catalog at ${file}: run \`npm run catalog\` and commit it`);
    return 1;
  }
  const failing = checkFailures(findings);
  report(findings, failing);
  if (failing.length > 0) {
    console.log(`contract check FAILED: ${failing.length} detail-type(s) against ${file}`);
    return 1;
  }
  // The gate compares contracts; a description, an example or a route's metadata is no contract change, but the
  // published catalog should still say it.
  if (
    findings.length === 0 &&
    !isDeepStrictEqual(committed(file), JSON.parse(JSON.stringify(currentDocument())))
  ) {
    console.log(
      "note the committed catalog differs from what `npm run catalog` writes (descriptions, examples or routes): run it to publish them",
    );
  }
  console.log(`contract check passed: ${tableContracts(routes).length} detail-types against ${file}`);
  return 0;
}

/** The table's own problems (a bad version, an undeclared emit target, ...): no catalog of a broken table. */
function tableProblems(): boolean {
  const problems = checkRoutes(routes);
  if (problems.length === 0) return false;
  console.log(`FAIL the routing table is invalid:\n${formatProblems(problems)}`);
  return true;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        catalog: { type: "string" },
        routes: { type: "string" },
        "allow-removal": { type: "boolean" },
      },
    });
  } catch (err) {
    console.error(
      `${(err as Error).message}\nusage: cli.ts write|check [--catalog FILE] [--routes MODULE] [--allow-removal]`,
    );
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const file = resolve(parsed.values.catalog ?? CATALOG_PATH);
  if (parsed.values.routes !== undefined) {
    routes = (require(resolve(parsed.values.routes)) as { routes: readonly RouteRow[] }).routes;
  }
  if ((command === "write" || command === "check") && tableProblems()) return 1;
  if (command === "write" && rest.length === 0) return write(file, parsed.values["allow-removal"] === true);
  if (command === "check" && rest.length === 0 && !parsed.values["allow-removal"]) return check(file);
  console.error(
    "usage: cli.ts write|check [--catalog FILE] [--routes MODULE] [--allow-removal (write only)]",
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
