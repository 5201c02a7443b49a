/**
 * Structured logs for the local stack: pino JSON lines, pretty-printed when stdout is a terminal. Processor
 * lines carry `eventId` and `routeKey` through the bindings the processor runtime passes. Imports nothing else
 * of the local stack, so every part of it may log.
 */
import pino from "pino";
import type { LogFields, Logger } from "../processors/runtime";

/** How a terminal shows log lines (both threads use it). */
const PRETTY = { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } };

/** The process logger for `npm start`: pretty in a terminal, JSON lines otherwise. */
export function createLogger(level: string): pino.Logger {
  return process.stdout.isTTY ? pino({ level, transport: PRETTY }) : pino({ level });
}

/**
 * The logger of a processor's worker thread: pino at `level`, written synchronously to stdout's file descriptor
 * (pretty-printed in the worker itself when the main thread's stdout is a terminal), so its lines never pass
 * through the main thread's event loop, and a worker that crashes has written every line before its crash.
 */
export function workerLogger(level: string, pretty: boolean): pino.Logger {
  if (level === "silent") return silentLogger();
  if (pretty) {
    const { build } = require("pino-pretty") as typeof import("pino-pretty");
    return pino({ level }, build({ ...PRETTY.options, destination: 1, sync: true }));
  }
  return pino({ level }, pino.destination({ fd: 1, sync: true }));
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
