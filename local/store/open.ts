/**
 * Opening a writer Store's file: its folder made, its lock taken (lock.ts), the file opened, checked and brought
 * up to date (schema.ts), and the delivery rows' bookkeeping read. Every failure releases the lock and is a
 * `StoreOpenError` naming the file, or the error as it came.
 */
import path from "node:path";
import type Database from "better-sqlite3";
import { DeliveryRows } from "./delivery-rows";
import { isSqliteError, StoreOpenError } from "./faults";
import { DatabaseLock } from "./lock";
import type { StoreOptions } from "./options";
import { openDatabase, prepareFolder } from "./schema";

/** A Store's file, open. */
export interface OpenedFile {
  db: Database.Database;
  /** The file's absolute path; undefined for `:memory:`. */
  absolute: string | undefined;
  /** WAL checkpoints run on their thread (a file, and a period over 0). */
  checkpoints: boolean;
  lock: DatabaseLock | undefined;
  late: DeliveryRows;
}

export function openStoreFile(file: string, options: StoreOptions): OpenedFile {
  const inMemory = file === ":memory:";
  const checkpoints = !inMemory && options.checkpointIntervalMs > 0;
  const absolute = inMemory ? undefined : path.resolve(file);
  if (absolute) prepareFolder(absolute);
  const lock = options.lock && absolute ? DatabaseLock.acquire(absolute) : undefined;
  try {
    const db = openDatabase(file, {
      synchronous: options.synchronous,
      checkpointsOnThread: checkpoints,
      migrate: true,
      check: true,
    });
    const late = new DeliveryRows(db);
    // Rows are expected with every event from now on: write what a run with late rows left unwritten.
    if (options.deliveryRows === "with-event") while (late.materializeChunk());
    return { db, absolute, checkpoints, lock, late };
  } catch (err) {
    lock?.release();
    throw err instanceof StoreOpenError || !isSqliteError(err)
      ? err
      : new StoreOpenError(`cannot open ${file}: ${err.message}`);
  }
}
