/** `npm run scenarios -- --url <POST /events URL> [--api-key <key>]`: runs the scenarios and prints the table. */
import { formatTable, parseArgs, runScenarios } from "./run";

async function main(): Promise<void> {
  const { url, apiKey } = parseArgs(process.argv.slice(2));
  const results = await runScenarios({ url, apiKey, log: (line) => console.error(line) });
  console.log(formatTable(results));
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
