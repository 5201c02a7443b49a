/** The local event bus: envelopes, routing by the table's patterns, group commit, and replays of its archive. */
export { awsTime, Bus, uuidv7, type BusOptions, type CommitListener, type EventLog } from "./bus";
export type { BusEntry, Commit } from "./entry";
export { archiveCounter, archiveSources, type ArchiveReads } from "./archive";
export { ReplayEngine } from "./replay";
export { PAUSED_REASON, ReplayError, type ReplayDeps, type ReplayStore } from "./replay-ports";
