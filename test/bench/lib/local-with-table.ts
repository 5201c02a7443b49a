/**
 * `npm start` with another routing table: `local/main.ts`'s settings (`settingsFromEnv`), the table's module from
 * `BENCH_ROUTES_MODULE` (the memory bench's table with a crashing processor, `crashing-table.ts`). A bench entry,
 * not a product setting: users edit `infra/routes.ts`. Stops on SIGTERM like `npm start`.
 */
import { buildApp } from "../../../local/app";
import { createLogger } from "../../../local/logging";
import { settingsFromEnv } from "../../../local/options";

async function main(): Promise<void> {
  const routesModule = process.env.BENCH_ROUTES_MODULE;
  if (!routesModule) throw new Error("BENCH_ROUTES_MODULE names the routing table's module");
  const settings = settingsFromEnv(process.env);
  const logger = createLogger(settings.logLevel);
  const local = buildApp({ ...settings.options, routesModule, logger });
  process.on("SIGTERM", () => void local.close().then(() => process.exit(0)));
  await local.listen({ port: settings.port, host: settings.host });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
