/**
 * What the replay engine is given and what it answers with: its store and collaborators (ports, implemented by
 * the Store's `ReplayRows` and the bus), its error, and the limits and wording callers share.
 */
import type pino from "pino";
import type { ArchiveRange, EventRow, ReplayFilter, ReplayRow, ReplayState } from "../store";
import type { BusEntry } from "./entry";

/** Why a replay cannot be started or cancelled: each caller turns it into its protocol's error. */
export class ReplayError extends Error {
  constructor(
    readonly kind: "invalid" | "exists" | "not-found" | "illegal-state",
    message: string,
    /** Which part of the request an `invalid` one is about. */
    readonly field?: "name" | "range" | "description",
  ) {
    super(message);
  }
}

/** Where replays are kept and what they read (implemented by the Store's `ReplayRows`). */
export interface ReplayStore {
  insert(row: ReplayRow): boolean;
  get(name: string): ReplayRow | undefined;
  list(filter: ReplayFilter, offset: number, limit: number): ReplayRow[];
  unfinished(): ReplayRow[];
  setState(name: string, state: ReplayState, reason: string | null, endedAt?: number): void;
  setTotal(name: string, total: number, cursor: number): void;
  progress(name: string, cursor: number, replayed: number, lastReplayedAt: number | undefined): void;
  bounds(range: ArchiveRange): { cursor: number; endSeq: number };
  page(range: ArchiveRange, cursor: number, endSeq: number, limit: number): EventRow[];
  count(range: ArchiveRange, cursor: number, endSeq: number, window: number): { n: number; upTo: number };
  archived(sources: readonly string[], after: number, upTo: number): { n: number; bytes: number };
  maxSeq(): number;
}

/** The engine's collaborators and settings (`local/options/` has the defaults). */
export interface ReplayDeps {
  store: ReplayStore;
  /** The backlog a replay pauses on. */
  backlog: { readonly openDeliveries: number };
  maxPending: number;
  /** Commits entries, running `within` in the same transaction (`Bus.put`). */
  put: (entries: readonly BusEntry[], within: () => void) => string[];
  /** The sources of the archive's pattern: only their events are archived (`ARCHIVE_PATTERN`). */
  archiveSources: readonly string[];
  pageSize: number;
  pauseMs: number;
  now: () => Date;
  log: pino.Logger;
}

/** StartReplay's limit on `Description` (AWS's API reference: "Maximum length of 512"). */
export const MAX_DESCRIPTION_LENGTH = 512;

/** The `StateReason` of a replay waiting for the backlog. */
export const PAUSED_REASON = "Paused: the backlog is at its bound (maxPending); resumes as deliveries finish";
