/**
 * `npm start`: the whole event flow on one machine, no AWS account or network needed.
 *
 *   npm start -- [--port 3000] [--host 127.0.0.1] [--db .data/backbone.db]
 *   npm start --port 3000                      (the same: npm hands the flag over; see `applyFlags`)
 *
 * Environment: `ENVIRONMENT` in options/environment.ts (PORT, HOST, BACKBONE_DB, LOG_LEVEL, BACKBONE_*), defaults in
 * `DEFAULTS`; flags win over the environment. SIGINT/SIGTERM stop delivering, close the server and the
 * database; a second signal exits at once.
 *
 * A refusal to start (a bad setting, a damaged or locked or unwritable database, a non-loopback HOST without a
 * token, a port in use) is printed as one line naming what to do, and the process exits with 1.
 */
import { buildApp } from "./app";
import { createLogger } from "./logging";
import { applyFlags, settingsFromEnv, StartError, USAGE } from "./options";
import { StoreOpenError } from "./store";

async function main(): Promise<void> {
  if (process.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
    console.log(
      `${USAGE}\nEvery setting, its environment variable and its default: the table at the top of local/README.md.`,
    );
    return;
  }
  const settings = settingsFromEnv(applyFlags(process.argv.slice(2), process.env));
  const { port, host } = settings;
  const dbPath = settings.options.dbPath;
  const logger = createLogger(settings.logLevel);
  const local = buildApp({ ...settings.options, logger });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "shutting down");
    local.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  let url: string;
  try {
    url = await local.listen({ port, host });
  } catch (err) {
    // A refused start still closes the database: its WAL is folded in and the lock released.
    await local.close().catch(() => undefined);
    throw err;
  }
  logger.info(
    {
      url,
      db: dbPath,
      isolation: local.isolation,
      pending: local.store.openDeliveries,
      recovered: local.recovered,
    },
    `event backbone listening: POST ${url}/events, EventBridge API at ${url}/, ops at ${url}/local/health`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof StartError || err instanceof StoreOpenError) {
    console.error(`backbone: ${err.message.replace(/\s*\n\s*/g, " ")}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
