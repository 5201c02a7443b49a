/**
 * The Store's read-only queries (ops views, counts, due-work timing), split from its writes (store.ts). Reads
 * see delivery rows not written yet as pending (delivery-rows.ts).
 */
import type Database from "better-sqlite3";
import type { AttemptRow, DeliveryRow, DlqRow, EventRow, PendingRows } from "./rows";
import type { Statements } from "./statements";

export abstract class StoreReads {
  constructor(
    readonly db: Database.Database,
    protected readonly stmt: Statements,
    /** Absent when every row is written with its event. */
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

  /**
   * One page of events, newest first, matching `query`'s filters (in SQL), before the `before` cursor: at most
   * `limit` events and, past the first, at most `maxBytes` of stored envelopes; the rows are read one at a time,
   * so a page of large events never sits in memory whole. At most `scanRows` events are looked at: a rare filter
   * may return fewer than `limit` (even none) with a `next` cursor to go on from. `next` is absent at the end.
   */
  listEvents(query: EventListQuery): { rows: EventRow[]; next?: number } {
    const before = query.before ?? this.maxSeq() + 1;
    const floor = Math.max(1, before - query.scanRows);
    const rows: EventRow[] = [];
    let bytes = 0;
    const params = {
      before,
      floor,
      detailType: query.detailType ?? null,
      source: query.source ?? null,
      route: query.route ?? null,
    };
    for (const row of this.stmt.listEvents.iterate(params) as IterableIterator<EventRow>) {
      if (rows.length > 0 && (rows.length >= query.limit || bytes + row.envelope.length > query.maxBytes)) {
        return { rows, next: rows[rows.length - 1].seq };
      }
      rows.push(row);
      bytes += row.envelope.length;
    }
    return { rows, next: floor > 1 ? floor : undefined };
  }

  /** Open DLQ entries after id `after`, oldest first, optionally of one route; `next` when more may follow. */
  listDlq(query: { after: number; limit: number; maxBytes: number; route?: string }): {
    rows: DlqRow[];
    next?: number;
  } {
    const all = this.stmt.listDlq.all({
      after: query.after,
      limit: query.limit + 1,
      route: query.route ?? null,
    }) as DlqRow[];
    const rows: DlqRow[] = [];
    let bytes = 0;
    for (const row of all) {
      const size = row.error.length + 200;
      if (rows.length > 0 && (rows.length >= query.limit || bytes + size > query.maxBytes)) {
        return { rows, next: rows[rows.length - 1].id };
      }
      rows.push(row);
      bytes += size;
    }
    return { rows };
  }

  /** Open DLQ entries, of one route or all. */
  countDlqOf(route?: string): number {
    return (this.stmt.countDlqRoute.get({ route: route ?? null }) as { n: number }).n;
  }

  /** Open DLQ entries per route key. */
  dlqByRoute(): Map<string, number> {
    const rows = this.stmt.dlqByRoute.all() as { route_key: string; n: number }[];
    return new Map(rows.map((r) => [r.route_key, r.n]));
  }

  /** Events the processors emitted while delivering `eventId` (its follow-ups), at most `limit`. */
  followUps(eventId: string, limit: number): EventRow[] {
    return this.stmt.followUps.all(eventId, limit) as EventRow[];
  }

  /** Replays of archived event `eventId`, at most `limit`. */
  replaysOf(eventId: string, limit: number): EventRow[] {
    return this.stmt.replaysOf.all(eventId, limit) as EventRow[];
  }

  /** The failed attempts of an event's deliveries, in order. */
  failedAttempts(eventId: string): AttemptRow[] {
    return this.stmt.attemptsOf.all(eventId) as AttemptRow[];
  }

  /** When this database was created (epoch ms; the control plane's `CreationTime`). */
  createdAt(): number {
    const row = this.stmt.createdAt.get() as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }
}

/** What `listEvents` reads: see there. */
export interface EventListQuery {
  /** Only events with a smaller `seq` (the previous page's `next`). Default: from the newest. */
  before?: number;
  limit: number;
  maxBytes: number;
  scanRows: number;
  detailType?: string;
  source?: string;
  /** Only events that matched this route key. */
  route?: string;
}
