/**
 * The bus's archive: which events it keeps (by source, as `ARCHIVE_PATTERN` says) and how many, for the replay
 * engine and `ListArchives`. It is no table of its own: the events table keeps every event, and the archive is
 * those of its sources.
 */
import type { EventPattern } from "../../infra/table";

/** What counting the archive reads (the Store's `ReplayRows`, as the replay engine's `ReplayStore`). */
export interface ArchiveReads {
  /** Archived events with `after < seq <= upTo` of these sources: how many, and their bytes. */
  archived(sources: readonly string[], after: number, upTo: number): { n: number; bytes: number };
  maxSeq(): number;
}

/**
 * The sources an archive pattern keeps: the engine reads archived events by source in SQL, so the pattern must
 * be a list of sources (`ARCHIVE_PATTERN` is); anything else is refused at start-up rather than misread.
 */
export function archiveSources(pattern: EventPattern): string[] {
  const sources = pattern.source;
  const onlySource = Object.keys(pattern).length === 1;
  if (!onlySource || !Array.isArray(sources) || !sources.every((s) => typeof s === "string")) {
    throw new Error(`the archive pattern must be {"source": [names]}, got ${JSON.stringify(pattern)}`);
  }
  return sources as string[];
}

/**
 * The archive's event count and size, counted once and then only over events committed since the last call
 * (rows are never deleted), so `ListArchives` does not read the whole table each time.
 */
export function archiveCounter(
  store: ArchiveReads,
  sources: readonly string[],
): () => { eventCount: number; sizeBytes: number } {
  let upTo = 0;
  let eventCount = 0;
  let sizeBytes = 0;
  return () => {
    const max = store.maxSeq();
    if (max > upTo) {
      const step = store.archived(sources, upTo, max);
      eventCount += step.n;
      sizeBytes += step.bytes;
      upTo = max;
    }
    return { eventCount, sizeBytes };
  };
}
