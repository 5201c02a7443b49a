/**
 * The producer client's types, derived from the routing table: every detail-type a row consumes, and the
 * `Static` type of its schema. A new row gives `send` a new typed detail-type with no edit here.
 */
import type { Static } from "@sinclair/typebox";
import type { routes } from "../routes";

/** The processors of the table, as a union of their exact types. */
type TableProcessor = (typeof routes)[number]["processor"];

/** Every detail-type the backbone accepts (`"order-created" | "user-registered" | ...`). */
export type DetailType = TableProcessor["detailType"];

/** The `detail` of a `T` event: the TypeBox `Static` of its schema. */
export type DetailOf<T extends DetailType> = Static<Extract<TableProcessor, { detailType: T }>["schema"]>;

/** One event to send: a detail-type and its matching detail. */
export type EventInput = { [T in DetailType]: { detailType: T; detail: DetailOf<T> } }[DetailType];
