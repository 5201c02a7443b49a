/**
 * `npm run bench`: every bench module in `test/bench/`, one after the other (they would disturb each other's
 * numbers if run at once). `npm run bench -- ingest e2e` runs only the named modules.
 * Each module exports `async function run()`; a result with `ok: false` (a missed target) or a throw makes the
 * exit code non-zero. The machine is printed with the numbers, as BENCHMARKS.md reports them.
 */
import * as e2e from "./e2e";
import * as ingest from "./ingest";
import { loadAverage, machine } from "./lib/report";
import * as matcher from "./matcher";
import * as memory from "./memory";
import * as sustained from "./sustained";

/** The bench modules, in the order they run. */
const BENCHES: Readonly<Record<string, { run(): Promise<unknown> }>> = {
  matcher,
  ingest,
  e2e,
  sustained,
  memory,
};
const MODULES = Object.keys(BENCHES);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !MODULES.includes(w));
  if (unknown.length > 0)
    throw new Error(`unknown bench module(s) ${unknown.join(", ")}; known: ${MODULES.join(", ")}`);
  const selected = wanted.length > 0 ? MODULES.filter((m) => wanted.includes(m)) : MODULES;
  console.log(`machine: ${machine()}; ${loadAverage()}`);
  console.log(`command: npm run bench${wanted.length ? ` -- ${wanted.join(" ")}` : ""}`);
  const verdicts: string[] = [];
  for (const name of selected) {
    const started = Date.now();
    let verdict: string;
    try {
      const result = await BENCHES[name].run();
      const ok = !(
        typeof result === "object" &&
        result !== null &&
        (result as { ok?: unknown }).ok === false
      );
      verdict = ok ? "ok" : "TARGET MISSED";
    } catch (err) {
      verdict = `ERROR ${err instanceof Error ? err.stack : String(err)}`;
    }
    verdicts.push(`${name}: ${verdict} (${((Date.now() - started) / 1000).toFixed(1)} s, ${loadAverage()})`);
    if (verdict !== "ok") process.exitCode = 1;
  }
  console.log(`\n## summary\n${verdicts.join("\n")}`);
}

void main();
