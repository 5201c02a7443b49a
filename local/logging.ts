/**
 * Structured logs for the local stack: pino JSON lines, pretty-printed when stdout is a terminal. Processor
 * lines carry `eventId` and `routeKey` through the bindings the processor runtime passes.
 */
import pino from "pino";
import type { LogFields, Logger } from "../processors/types";

/** The process logger for `npm start`: pretty in a terminal, JSON lines otherwise (`LOG_LEVEL`, default info). */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): pino.Logger {
  if (process.stdout.isTTY) {
    return pino({
      level,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } },
    });
  }
  return pino({ level });
}

/** A logger that drops everything (tests, benches). */
export function silentLogger(): pino.Logger {
  return pino({ level: "silent" });
}

/** Adapts pino to the processors' `Logger` port (message first, fields second). */
export function processorLogger(base: pino.Logger, bindings: LogFields): Logger {
  const log = base.child(bindings);
  return {
    debug: (msg, fields) => log.debug(fields ?? {}, msg),
    info: (msg, fields) => log.info(fields ?? {}, msg),
    warn: (msg, fields) => log.warn(fields ?? {}, msg),
    error: (msg, fields) => log.error(fields ?? {}, msg),
  };
}
