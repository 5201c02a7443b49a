/**
 * The contract between the routing table, the processors and the two runtimes (Lambda and the local stack).
 * Processors are pure functions of `(event, ctx)`: every side effect goes through a port on `ctx`.
 * This file has no Pulumi, AWS SDK or server imports so every layer can share it.
 */
import type { Static, TSchema } from "@sinclair/typebox";

/** The EventBridge envelope, exactly as EventBridge delivers it to a Lambda target. */
export interface BackboneEvent<D = unknown> {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/** The envelope as stored and delivered locally: a `BackboneEvent`, plus `replay-name` on replayed events as AWS adds it. */
export type Envelope = BackboneEvent<Record<string, unknown>> & { "replay-name"?: string };

/** Structured fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/** Structured JSON logger. Adapters bind `eventId` and `routeKey` to every line. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** The ports a processor may use. Nothing else reaches the outside world. */
export interface ProcessorContext {
  /** Key of the routing-table row that delivered this event. */
  readonly routeKey: string;
  readonly log: Logger;
  /**
   * Puts a follow-up event on the same bus. Emits are buffered and published only after the processor
   * returns, so an attempt whose processor fails emits nothing and a duplicate delivery of the same event id
   * emits nothing twice. Entries PutEvents rejects are re-sent alone; one still rejected fails the attempt, and
   * its retry publishes the others again (at least once).
   */
  emit(detailType: string, detail: Record<string, unknown>): Promise<void>;
  /** The clock. Tests pin it. */
  now(): Date;
}

/**
 * A processor: the business logic for one consumed detail-type.
 * `schema` is the JSON Schema (TypeBox) of the `detail` it consumes: the one source for API Gateway's request
 * model, the local stack's validation, the catalog (AsyncAPI, EventBridge Schema Registry), the typed producer
 * client and this processor's TypeScript types. The schema also carries the contract's metadata as TypeBox
 * options: `examples` (at least one valid detail; the table-driven specs run every route on them) and `version`
 * (a positive integer, 1 when absent; bump it for a breaking change, see README "The contract gate").
 * Lambda code must never capture `schema` (TypeBox keeps Symbol keys, which break Pulumi's closure serialization).
 */
export interface Processor<S extends TSchema = TSchema, R = unknown, T extends string = string> {
  /** Short name, used in function and log names: lowercase letters, digits and dashes. */
  readonly name: string;
  /** The detail-type this processor consumes; the catalogue of accepted events is derived from it. */
  readonly detailType: T;
  readonly schema: S;
  /**
   * The detail-types this processor may `ctx.emit` (absent: none). The catalog lists the processor as their
   * producer, and the runtime refuses an emit of any other detail-type (an `UndeclaredEmit` error), so the
   * published contract cannot drift from what the code does.
   */
  readonly emits?: readonly string[];
  /** Method syntax on purpose: it keeps `Processor<Specific>` assignable to `Processor` (bivariant parameters). */
  handle(event: BackboneEvent<Static<S>>, ctx: ProcessorContext): Promise<R> | R;
}

/**
 * Identity function that infers `S`, `R` and the literal detail-type `T`, so processor files get typed events
 * without annotations and the routing table keeps each row's detail-type and schema in its type (the typed
 * producer client is derived from it).
 */
export function defineProcessor<S extends TSchema, R, const T extends string>(
  processor: Processor<S, R, T>,
): Processor<S, R, T> {
  return processor;
}
