/**
 * The routing table as an AsyncAPI 3.0 document: one channel per detail-type (its address is the
 * detail-type), one message per channel with the JSON Schema of its `detail`, its examples and its contract
 * version (`x-version`), a `receive` operation per route (which route and processor consume it) and a `send`
 * operation per declared emit (which processor produces it). `npm run catalog` writes it to
 * `infra/catalog/asyncapi.json`; the contract gate reads the committed copy back with `catalogContracts`.
 * Pure: no Pulumi, no I/O.
 */
import { eventCatalog, type CatalogEntry } from "./catalog";
import type { RouteRow } from "./row";

/** The AsyncAPI version written. */
export const ASYNCAPI_VERSION = "3.0.0";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The AsyncAPI document, as JSON (the spec's own JSON Schema describes its shape). */
export type AsyncApiDocument = { asyncapi: string; [field: string]: Json };

/** What the document says about itself. */
export interface AsyncApiInfo {
  readonly title: string;
  /** The version of the whole API (the package's); each message has its own `x-version`. */
  readonly version: string;
}

/** Builds the document for `routes`. Key order is stable, so the written file only changes with the table. */
export function asyncApiDocument(routes: readonly RouteRow[], info: AsyncApiInfo): AsyncApiDocument {
  const catalog = eventCatalog(routes);
  const channels: Record<string, Json> = {};
  const messages: Record<string, Json> = {};
  for (const entry of catalog) {
    const id = componentKey(entry.detailType);
    channels[id] = {
      address: entry.detailType,
      title: entry.detailType,
      description:
        `Events whose detail-type is "${entry.detailType}": accepted at POST /events ` +
        `({"detail-type", "detail"}) and put on the bus; the message payload is the event's detail.`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    };
    messages[id] = message(entry);
  }

  const operations: Record<string, Json> = {};
  for (const row of routes) {
    const id = componentKey(row.processor.detailType);
    operations[componentKey(`consume-${row.key}`)] = {
      action: "receive",
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
      title: `route ${row.key}`,
      summary: row.description,
      description: `Route "${row.key}" delivers matching events to processor "${row.processor.name}".`,
      "x-route": row.key,
      "x-processor": row.processor.name,
      "x-pattern": JSON.parse(JSON.stringify(row.pattern)) as Json,
    };
  }
  for (const { processor, detailType } of emitters(routes)) {
    const id = componentKey(detailType);
    operations[componentKey(`emit-${detailType}-from-${processor}`)] = {
      action: "send",
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
      title: `${processor} emits ${detailType}`,
      summary: `Processor "${processor}" emits "${detailType}" events (source backbone.${processor}).`,
      "x-processor": processor,
    };
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: info.title,
      version: info.version,
      description:
        "Generated from infra/routes.ts by `npm run catalog`; do not edit. The contract gate " +
        "(`npm run contract:check`) compares the schemas with this file.",
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { messages },
  };
}

/** The message of one catalogue entry: payload = the detail's schema without the contract metadata. */
function message(entry: CatalogEntry): Json {
  const {
    version: _v,
    examples: _e,
    ...payload
  } = JSON.parse(JSON.stringify(entry.schema)) as Record<string, Json>;
  return {
    name: entry.detailType,
    title: entry.detailType,
    contentType: "application/json",
    payload,
    examples: entry.examples.map((example, i) => ({
      name: `example-${i + 1}`,
      payload: JSON.parse(JSON.stringify(example)) as Json,
    })),
    "x-version": entry.version,
  };
}

/** Every (processor, detail-type) pair a processor of the table declares it emits, once, sorted. */
export function emitters(routes: readonly RouteRow[]): { processor: string; detailType: string }[] {
  const seen = new Map<string, { processor: string; detailType: string }>();
  for (const { processor } of routes) {
    for (const detailType of processor.emits ?? []) {
      seen.set(`${processor.name}\u0000${detailType}`, { processor: processor.name, detailType });
    }
  }
  return [...seen.values()].sort(
    (a, b) => a.detailType.localeCompare(b.detailType) || a.processor.localeCompare(b.processor),
  );
}

/**
 * AsyncAPI component keys allow letters, digits, `.`, `-` and `_`. Not one-to-one (`a@b` and `a_b` give the same
 * key), so the table check refuses two detail-types that would share one (check.ts).
 */
export function componentKey(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** One detail-type's contract as a catalog records it. */
export interface Contract {
  readonly detailType: string;
  readonly version: number;
  /** JSON Schema of the detail. */
  readonly schema: Json;
}

/**
 * The contracts an AsyncAPI document written by `asyncApiDocument` records, by detail-type (the channel's
 * address). Throws a `TypeError` naming what is missing when the document is not one of ours.
 */
export function catalogContracts(document: unknown): Contract[] {
  const doc = document as {
    asyncapi?: unknown;
    channels?: Record<string, { address?: unknown; messages?: Record<string, { $ref?: unknown }> }>;
    components?: { messages?: Record<string, { payload?: Json; "x-version"?: unknown }> };
  };
  if (typeof doc?.asyncapi !== "string" || !doc.asyncapi.startsWith("3.")) {
    throw new TypeError("the catalog is not an AsyncAPI 3 document");
  }
  const contracts: Contract[] = [];
  for (const [id, channel] of Object.entries(doc.channels ?? {})) {
    const ref = Object.values(channel.messages ?? {})[0]?.$ref;
    const name = typeof ref === "string" ? ref.split("/").pop() : undefined;
    const msg = name === undefined ? undefined : doc.components?.messages?.[name];
    if (typeof channel.address !== "string" || !msg || msg.payload === undefined) {
      throw new TypeError(`the catalog's channel "${id}" has no address or no message with a payload`);
    }
    const version = msg["x-version"];
    if (typeof version !== "number") throw new TypeError(`the catalog's message "${name}" has no x-version`);
    contracts.push({ detailType: channel.address, version, schema: msg.payload });
  }
  return contracts;
}

/** The contracts of the current table, in the same shape as `catalogContracts` reads them from a document. */
export function tableContracts(routes: readonly RouteRow[]): Contract[] {
  return catalogContracts(asyncApiDocument(routes, { title: "current", version: "0" }));
}
