/**
 * The architecture check of `npm run lint`: dependency-cruiser's rules (`.dependency-cruiser.cjs`: cycles,
 * forbidden imports, faces) and, beside them, the depth of `local/`, which dependency-cruiser has no rule for.
 *
 * Depth is the longest import chain between modules of `local/`, counted in modules. A folder's `index.ts`
 * that only re-exports is a face, not a layer: a chain passing through it counts the modules behind it.
 * Run: `node -r ts-node/register/transpile-only test/support/architecture.ts` (exit 1 on any violation).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** What the project's check cruises. */
export const PROJECT_PATHS = ["index.ts", "infra", "processors", "local", "test"];

/** `local/` may stack at most this many modules. */
export const MAX_LOCAL_DEPTH = 8;

interface Cruised {
  modules: {
    source: string;
    dependencies: { module: string; resolved: string; coreModule?: boolean; couldNotResolve?: boolean }[];
  }[];
  summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[] };
}

/**
 * Runs dependency-cruiser with the project's rules over `paths`, in `cwd`; with `cache`, through its cache in
 * that folder (content-keyed: the project's check took 6 s of a warm `npm test`, most of it re-reading the tree).
 */
export function cruise(cwd: string, paths: readonly string[], cache?: string): Cruised {
  // The package's exports name no bin path.
  const bin = resolve(
    __dirname,
    "..",
    "..",
    "node_modules",
    "dependency-cruiser",
    "bin",
    "dependency-cruise.mjs",
  );
  const out = spawnSync(
    process.execPath,
    [
      bin,
      "--config",
      ".dependency-cruiser.cjs",
      "--output-type",
      "json",
      ...(cache ? ["--cache", cache, "--cache-strategy", "content"] : []),
      ...paths,
    ],
    { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (out.status !== 0 && !out.stdout.startsWith("{")) {
    throw new Error(`dependency-cruiser failed (${out.status}): ${out.stderr}`);
  }
  return JSON.parse(out.stdout) as Cruised;
}

/** One line per broken rule: `rule: from → to` (a cycle lists its modules). */
export function violations(result: Cruised): string[] {
  return result.summary.violations.map((v) => {
    const path = v.cycle?.length
      ? [v.from, ...v.cycle.map((c) => c.name)].join(" → ")
      : `${v.from} → ${v.to}`;
    return `${v.rule.name}: ${path}`;
  });
}

/**
 * The longest import chain inside `folder`, as module paths. Edges are a module's `import` statements (a
 * re-export passes a name through and is not code of its own); a name imported through an `index.ts` is an edge
 * to the module the index re-exports it from, so a face adds no layer and does not link its importers to
 * everything behind it.
 */
export function longestChain(result: Cruised, cwd: string, folder = "local/"): string[] {
  const inside = (p: string) => p.startsWith(folder) && p.endsWith(".ts");
  const resolvedOf = new Map<string, Map<string, string>>();
  for (const m of result.modules) {
    resolvedOf.set(
      m.source,
      new Map(m.dependencies.filter((d) => !d.coreModule).map((d) => [d.module, d.resolved])),
    );
  }
  const sources = new Map<string, ModuleStatements>();
  const statementsOf = (p: string) => {
    let known = sources.get(p);
    if (!known) sources.set(p, (known = parseStatements(readFileSync(join(cwd, p), "utf8"))));
    return known;
  };
  /** Where `name`, imported from `p`, is defined: through re-exports of index files. */
  const definer = (p: string, name: string, depth = 0): string => {
    if (!p.endsWith("/index.ts") || depth > 10) return p;
    const reexport = statementsOf(p).reexports.find((r) => r.names === undefined || r.names.has(name));
    const target = reexport && resolvedOf.get(p)?.get(reexport.spec);
    return target ? definer(target, reexport.names?.get(name) ?? name, depth + 1) : p;
  };
  const edges = new Map<string, string[]>();
  for (const m of result.modules) {
    if (!inside(m.source)) continue;
    const out = new Set<string>();
    for (const imp of statementsOf(m.source).imports) {
      const target = resolvedOf.get(m.source)?.get(imp.spec);
      if (!target || !inside(target)) continue;
      if (imp.names === undefined) out.add(target);
      else for (const name of imp.names) out.add(definer(target, name));
    }
    edges.set(m.source, [...out].filter(inside));
  }
  const memo = new Map<string, string[]>();
  const chainFrom = (p: string, seen: Set<string>): string[] => {
    const known = memo.get(p);
    if (known) return known;
    if (seen.has(p)) return []; // a cycle: reported by the rules, not measured here
    seen.add(p);
    let best: string[] = [];
    for (const next of edges.get(p) ?? []) {
      const chain = chainFrom(next, seen);
      if (chain.length > best.length) best = chain;
    }
    seen.delete(p);
    const chain = [p, ...best];
    memo.set(p, chain);
    return chain;
  };
  let longest: string[] = [];
  for (const p of edges.keys()) {
    const chain = chainFrom(p, new Set());
    if (chain.length > longest.length) longest = chain;
  }
  return longest;
}

interface ModuleStatements {
  /** `import … from spec`, `require(spec)`: the names taken, or undefined for the whole module. */
  imports: { spec: string; names?: Set<string> }[];
  /** `export … from spec`: exported name → name in the source module, or undefined for `export *`. */
  reexports: { spec: string; names?: Map<string, string> }[];
}

/** The import and re-export statements of a TypeScript module (enough of the grammar for this project). */
function parseStatements(source: string): ModuleStatements {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: ModuleStatements = { imports: [], reexports: [] };
  const names = (list: string) =>
    list
      .split(",")
      .map((n) => n.trim().replace(/^type\s+/, ""))
      .filter(Boolean)
      .map((n) => n.split(/\s+as\s+/));
  for (const m of code.matchAll(/\bimport\s+(?:type\s+)?([\w$*{},\s]*?)\s+from\s+["']([^"']+)["']/g)) {
    const clause = m[1];
    const braces = clause.match(/\{([\s\S]*)\}/);
    const whole = !braces || clause.replace(/\{[\s\S]*\}/, "").replace(/[\s,]/g, "") !== "";
    out.imports.push({ spec: m[2], names: whole ? undefined : new Set(names(braces[1]).map(([n]) => n)) });
  }
  for (const m of code.matchAll(/\brequire(?:\.resolve)?\(\s*["']([^"']+)["']\s*\)/g))
    out.imports.push({ spec: m[1] });
  for (const m of code.matchAll(/\bexport\s+(?:type\s+)?(\*|\{([^}]*)\})\s+from\s+["']([^"']+)["']/g)) {
    const map =
      m[1] === "*"
        ? undefined
        : new Map(names(m[2] ?? "").map(([n, alias]): [string, string] => [alias ?? n, n]));
    out.reexports.push({ spec: m[3], names: map });
  }
  return out;
}

/** Everything wrong with the tree at `cwd` (rule violations, then a too-deep `local/`), and that depth. */
export function architectureReport(
  cwd: string,
  paths: readonly string[],
  cache?: string,
): { problems: string[]; depth: number } {
  const result = cruise(cwd, paths, cache);
  const problems = violations(result);
  const chain = longestChain(result, cwd);
  if (chain.length > MAX_LOCAL_DEPTH) {
    problems.push(`local-depth: ${chain.length} layers (at most ${MAX_LOCAL_DEPTH}): ${chain.join(" → ")}`);
  }
  return { problems, depth: chain.length };
}

/** `architectureReport`'s problems alone. */
export function architectureProblems(cwd: string, paths: readonly string[]): string[] {
  return architectureReport(cwd, paths).problems;
}

if (require.main === module) {
  const root = resolve(__dirname, "..", "..");
  const { problems, depth } = architectureReport(
    root,
    PROJECT_PATHS,
    resolve(root, "node_modules", ".cache", "dependency-cruiser"),
  );
  for (const p of problems) console.error(`  error ${p}`);
  if (problems.length > 0) {
    console.error(`\n✖ ${problems.length} architecture problem(s); the rules are in .dependency-cruiser.cjs`);
    process.exit(1);
  }
  console.log(
    `✔ architecture: no dependency violations; local/ is ${depth} modules deep (at most ${MAX_LOCAL_DEPTH})`,
  );
}
