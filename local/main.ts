/**
 * `npm start`: the whole event flow on one machine, no AWS account or network needed.
 *
 *   npm start -- [--port 3000] [--host 127.0.0.1] [--db .data/backbone.db]
 *
 * Environment: PORT, HOST, BACKBONE_DB, LOG_LEVEL, and (see `LocalOptions` in app.ts) BACKBONE_RETRY_BASE_MS,
 * BACKBONE_MAX_PENDING, BACKBONE_INGEST_PRIORITY_RATE, BACKBONE_INGEST_PRIORITY_TRICKLE, BACKBONE_CONCURRENCY,
 * BACKBONE_CHECKPOINT_MS, BACKBONE_DELIVERY (`thread` | `in-thread`).
 * SIGINT/SIGTERM stop delivering, close the server and the database; a second signal exits at once.
 */
import { parseArgs } from "node:util";
import { buildApp } from "./app";
import { createLogger } from "./logging";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  const host = values.host ?? process.env.HOST ?? "127.0.0.1";
  const dbPath = values.db ?? process.env.BACKBONE_DB ?? ".data/backbone.db";
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${String(port)}`);
  const logger = createLogger();
  const local = buildApp({
    dbPath,
    logger,
    retryBaseDelayMs: optionalNumber("BACKBONE_RETRY_BASE_MS"),
    maxPending: optionalNumber("BACKBONE_MAX_PENDING"),
    ingestPriorityRate: optionalNumber("BACKBONE_INGEST_PRIORITY_RATE"),
    ingestPriorityTrickle: optionalNumber("BACKBONE_INGEST_PRIORITY_TRICKLE"),
    concurrency: optionalNumber("BACKBONE_CONCURRENCY"),
    checkpointIntervalMs: optionalNumber("BACKBONE_CHECKPOINT_MS"),
    delivery: deliveryMode(process.env.BACKBONE_DELIVERY),
  });

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

  const url = await local.listen({ port, host });
  logger.info(
    {
      url,
      db: dbPath,
      delivery: local.delivery,
      pending: local.store.openDeliveries,
      recovered: local.recovered,
    },
    `event backbone listening: POST ${url}/events, EventBridge API at ${url}/, ops at ${url}/local/health`,
  );
}

function deliveryMode(raw: string | undefined): "thread" | "in-thread" | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (raw === "thread" || raw === "in-thread") return raw;
  throw new Error(`BACKBONE_DELIVERY must be thread or in-thread, got ${raw}`);
}

function optionalNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
