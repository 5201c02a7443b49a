/**
 * Structured logs for the local stack: pino JSON lines, pretty-printed when stdout is a terminal. Processor
 * lines carry `eventId` and `routeKey` through the bindings the processor runtime passes.
 */
import pino from "pino";
import type { LogFields, Logger } from "../processors/runtime";
import type { DeliveryOutcome } from "./delivery";

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

/**
 * The delivery thread's logger: pino at `level` straight to stdout's file descriptor (pretty when the main
 * thread's stdout is a terminal), so its lines never pass through the main thread's event loop.
 */
export function threadLogger(level: string, pretty: boolean): pino.Logger {
  if (level === "silent") return silentLogger();
  if (pretty) {
    return pino({
      level,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } },
    });
  }
  return pino({ level }, pino.destination({ fd: 1, sync: false }));
}

/** One line per delivery attempt: debug when done, warn when retried, error when dead-lettered. */
export function logOutcome(log: pino.Logger, o: DeliveryOutcome): void {
  const fields = { eventId: o.eventId, routeKey: o.routeKey, attempt: o.attempt, error: o.error };
  if (o.status === "done") log.debug(fields, "delivered");
  else if (o.status === "retrying") log.warn(fields, "delivery failed; will retry");
  else log.error(fields, "delivery failed; dead-lettered");
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
