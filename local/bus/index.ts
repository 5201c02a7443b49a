/** The local event bus: envelopes, routing by the table's patterns, group commit. */
export { awsTime, Bus, uuidv7, type BusOptions, type CommitListener, type EventLog } from "./bus";
export type { BusEntry, Commit } from "./entry";
