/**
 * The writer Store's watch over its file. A failed write (disk full, I/O error) puts the store in a fault state:
 * new events are refused with 503, delivery pauses (the `paused` flag is in the Store's shared counters), and what could not be written is kept and retried every `checkMs` until it is written,
 * which ends the fault on its own. The file itself is checked on the same timer: SQLite keeps writing to a
 * deleted or replaced file without complaint (measured: an INSERT after `unlink` succeeds), so its device and
 * inode are compared with the path's; if they differ the file is `gone`, writes stop, and only the original file
 * coming back ends it.
 */
import fs from "node:fs";
import { faultKind, faultMessage, type FaultKind, type StorageHealth } from "./faults";

/** What the monitor asks of its Store. */
export interface MonitorHooks {
  /** Writes everything kept unwritten, in order; throws if the file still refuses. */
  writeUnwritten(): void;
  /** Writes kept in memory. */
  unwritten(): number;
  /**
   * A committed write of `bytes` (written and removed in one transaction), to learn whether the file accepts the
   * refused write again when nothing else waits to be written.
   */
  probe(bytes: number): void;
  /** Before the fault of a `gone` file is reported: last chance to put what the WAL holds into the open file. */
  onGone?(): void;
  /** Told of every change of state. */
  onChange?(health: StorageHealth): void;
}

/** Index of the paused flag in the Store's shared counters. */
export const PAUSED = 1;

export class StorageMonitor {
  /** `how`: set once the file's check found it deleted or replaced (SQLite may report a moved file first). */
  private fault: { kind: FaultKind; message: string; since: number; how?: string } | undefined;
  /** Size of the last refused write that left nothing to retry (an event insert, answered 503). */
  private probeBytes = 4096;
  private readonly identity: { dev: number; ino: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Absolute path of the database file (undefined in memory: nothing to watch). */
    private readonly file: string | undefined,
    /** Shared counters of the Store's connections; `PAUSED` is set while writes fail. */
    private readonly shared: Int32Array,
    checkMs: number | undefined,
    private readonly hooks: MonitorHooks,
  ) {
    this.identity = file ? identityOf(file) : undefined;
    if (checkMs && checkMs > 0) {
      this.timer = setInterval(() => this.check(), checkMs);
      // Never keep a process alive just for this.
      this.timer.unref();
    }
  }

  /** Writes are refused outright: the file is gone (writing would acknowledge events into a deleted file). */
  get writable(): boolean {
    return this.fault?.kind !== "gone";
  }

  /** Some write failed and has not been made good yet. */
  get faulted(): boolean {
    return this.fault !== undefined;
  }

  /** A timer retries what is unwritten (otherwise the Store retries with its next write). */
  get retrying(): boolean {
    return this.timer !== undefined;
  }

  /** A write failed with `err`; `bytes`: its size, when it is not kept for a retry (the probe writes as much). */
  failed(err: unknown, bytes?: number): void {
    if (bytes !== undefined) this.probeBytes = Math.max(4096, Math.min(bytes, 4 * 1024 * 1024));
    if (this.fault?.kind === "gone") return;
    const kind = faultKind(err);
    const message = faultMessage(kind, this.file ?? ":memory:", err);
    if (this.fault?.kind === kind && this.fault.message === message) return;
    this.enter(kind, message);
  }

  /** A write succeeded: if a fault was on, write what it kept (right away, not at the next check). */
  succeeded(): void {
    if (this.fault && this.fault.kind !== "gone") setImmediate(() => this.check());
  }

  /** The current state. */
  health(): StorageHealth {
    const unwritten = this.hooks.unwritten();
    if (!this.fault) return { ok: true, state: "ok", unwritten };
    return {
      ok: false,
      state: this.fault.kind,
      message: this.fault.message,
      since: new Date(this.fault.since).toISOString(),
      unwritten,
    };
  }

  /** The fault's message (to answer a refused write with). */
  get message(): string | undefined {
    return this.fault?.message;
  }

  get kind(): FaultKind | undefined {
    return this.fault?.kind;
  }

  /** Checks the file, then retries what is unwritten; ends the fault when all of it is written. */
  check(): void {
    if (this.file && this.identity) {
      const now = identityOf(this.file);
      const same = now !== undefined && now.dev === this.identity.dev && now.ino === this.identity.ino;
      if (!same) {
        if (this.fault?.how === undefined) this.goneNow(now === undefined ? "deleted" : "replaced");
        return;
      }
      if (this.fault?.kind === "gone") {
        // The original file is back at its path (moved back): writes may resume.
        this.fault = { ...this.fault, kind: "io", how: undefined };
      }
    }
    if (!this.fault) return;
    try {
      if (this.hooks.unwritten() > 0) this.hooks.writeUnwritten();
      else this.hooks.probe(this.probeBytes);
    } catch (err) {
      this.failed(err);
      return;
    }
    this.fault = undefined;
    Atomics.store(this.shared, PAUSED, 0);
    this.hooks.onChange?.(this.health());
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private goneNow(how: "deleted" | "replaced"): void {
    const file = this.file as string;
    this.hooks.onGone?.();
    const open = openDescriptor(file);
    const keep = open
      ? `what it held is still readable as ${open} until this server stops: copy it (cp ${open} <file>) before restarting`
      : "what it held is lost when this server stops";
    this.enter(
      "gone",
      `${file} was ${how} while the server ran: new events get 503 and nothing is written; ${keep}`,
      how,
    );
  }

  private enter(kind: FaultKind, message: string, how?: string): void {
    this.fault = { kind, message, since: this.fault?.since ?? Date.now(), how };
    Atomics.store(this.shared, PAUSED, 1);
    this.hooks.onChange?.(this.health());
  }
}

function identityOf(file: string): { dev: number; ino: number } | undefined {
  try {
    const st = fs.statSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/fd/<n>` of the deleted file this process still holds open (Linux), if any. */
function openDescriptor(file: string): string | undefined {
  const dir = `/proc/${process.pid}/fd`;
  try {
    for (const fd of fs.readdirSync(dir)) {
      let target: string;
      try {
        target = fs.readlinkSync(`${dir}/${fd}`);
      } catch {
        continue;
      }
      if (target === `${file} (deleted)`) return `${dir}/${fd}`;
    }
  } catch {
    // No /proc (not Linux): nothing to point at.
  }
  return undefined;
}
