/**
 * The Store's read-only queries (ops views, counts, due-work timing), split from its writes (store.ts). Reads
 * see delivery rows not written yet as pending (delivery-rows.ts).
 */
import type Database from "better-sqlite3";
import type { DeliveryRow, DlqRow, EventRow, PendingRows } from "./rows";
import type { Statements } from "./statements";

export abstract class StoreReads {
  constructor(
    readonly db: Database.Database,
    protected readonly stmt: Statements,
    /** Absent on the delivery thread's reader, whose database has every row written. */
    protected readonly rows: PendingRows | undefined,
  ) {}

  /** The highest event `seq` committed. */
  maxSeq(): number {
    return (this.stmt.maxSeq.get() as { seq: number }).seq;
  }

  /** Earliest `next_at` after `after` of a waiting delivery, if any. */
  nextDueAt(after: number): number | undefined {
    return (this.stmt.nextDue.get(after) as { at: number | null }).at ?? undefined;
  }

  countOpenDeliveries(): number {
    return (this.stmt.countOpen.get() as { n: number }).n + (this.rows?.pendingCount() ?? 0);
  }

  /** Deliveries pending (in flight included), retrying or waiting for a retry: kept in memory by the Store. */
  abstract get openDeliveries(): number;

  /**
   * Deliveries per status. `pending` (in flight included) is the open count less the retrying rows, so rows not
   * written yet count without reading their events (a burst's backlog can be hundreds of thousands).
   */
  countsByStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmt.countByStatus.all() as { status: string; n: number }[]) out[r.status] = r.n;
    const pending = Math.max(0, this.openDeliveries - (out.retrying ?? 0));
    if (pending > 0) out.pending = pending;
    else delete out.pending;
    return out;
  }

  countEvents(): number {
    return (this.stmt.countEvents.get() as { n: number }).n;
  }

  countDlq(): number {
    return (this.stmt.countDlq.get() as { n: number }).n;
  }

  event(id: string): EventRow | undefined {
    return this.stmt.event.get(id) as EventRow | undefined;
  }

  /** The event's deliveries by route key (pending, never attempted, while its rows are not written yet). */
  deliveriesOf(event: EventRow): DeliveryRow[] {
    return this.rows?.synthesize(event) ?? (this.stmt.eventDeliveries.all(event.id) as DeliveryRow[]);
  }

  openDlq(limit: number): DlqRow[] {
    return this.stmt.openDlq.all(limit) as DlqRow[];
  }

  eventsBetween(from: number, to: number, limit: number): EventRow[] {
    return this.stmt.range.all(from, to, limit) as EventRow[];
  }

  recentEvents(limit: number): EventRow[] {
    return this.stmt.recent.all(limit) as EventRow[];
  }
}
