/**
 * One server per database file. The store opens several connections to its file (the writer and the checkpoint
 * thread), so SQLite's own `locking_mode = EXCLUSIVE` on the file cannot be used:
 * it would shut out those too. Instead a small SQLite file beside it, `<db>.lock`, is held in a write
 * transaction for the server's lifetime. SQLite locks it with POSIX advisory locks, which the OS drops when the
 * process ends, however it ends (SIGKILL included), so no stale lock is ever left behind; a pid file with
 * `O_EXCL` would need a liveness guess after a crash. A second process gets `SQLITE_BUSY` at once (measured: a
 * second process, and a second connection in the same process, both refused) and reads the holder's pid, which
 * the holder committed before taking the lock.
 *
 * Limits: advisory locks are only as good as the file system's (NFS may not honour them), and a copy of the
 * file under another name is another database.
 */
import Database from "better-sqlite3";
import path from "node:path";
import { StoreOpenError } from "./faults";

/** The held lock of one database file. */
export class DatabaseLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock of `file` (an absolute path) or throws a `StoreOpenError` naming who holds it. */
  static acquire(file: string): DatabaseLock {
    const lockPath = `${file}.lock`;
    let db: Database.Database;
    try {
      db = new Database(lockPath);
    } catch (err) {
      throw new StoreOpenError(
        `cannot create the lock file ${lockPath} (${(err as Error).message}): the folder ${path.dirname(file)} ` +
          `must be writable; choose another place (BACKBONE_DB or --db) or fix its permissions`,
      );
    }
    try {
      db.pragma("busy_timeout = 0");
      if (!tryBegin(db)) throw held(db, file);
      db.exec(`CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)`);
      db.prepare(`DELETE FROM holder`).run();
      db.prepare(`INSERT INTO holder (pid, since) VALUES (?, ?)`).run(process.pid, new Date().toISOString());
      db.exec("COMMIT");
      // The pid is readable now; hold the lock from here on. Another server starting in this instant wins.
      if (!tryBegin(db)) throw held(db, file);
      return new DatabaseLock(db);
    } catch (err) {
      const busy = (err as { code?: string }).code === "SQLITE_BUSY";
      const refusal = err instanceof StoreOpenError ? err : busy ? held(db, file) : undefined;
      db.close();
      if (refusal) throw refusal;
      throw new StoreOpenError(`cannot lock ${file} (through ${lockPath}): ${(err as Error).message}`);
    }
  }

  /** Releases the lock (the OS releases it anyway when the process ends). */
  release(): void {
    if (this.db.open) this.db.close();
  }
}

function tryBegin(db: Database.Database): boolean {
  try {
    db.exec("BEGIN IMMEDIATE");
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "SQLITE_BUSY") return false;
    throw err;
  }
}

function held(db: Database.Database, file: string): StoreOpenError {
  let holder = "another local stack";
  try {
    const row = db.prepare(`SELECT pid, since FROM holder`).get() as
      { pid: number; since: string } | undefined;
    if (row) holder = `another local stack (pid ${row.pid}, since ${row.since})`;
  } catch {
    // Unreadable holder row: the generic wording stays.
  }
  return new StoreOpenError(
    `${file} is in use by ${holder}; stop it, or give this one another database (BACKBONE_DB or --db)`,
  );
}
