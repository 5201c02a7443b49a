/**
 * `GET /local/events/stream`: server-sent events of what happens on the bus, for the console's live view and
 * `backbone events tail`. `accepted` has each newly committed event (id, detail-type, source, routes,
 * correlation id, cause, replay name); `outcome` each delivery attempt's outcome. Query filters:
 * `detail-type`, `source`, `route` (an outcome passes `detail-type`/`source` when its event did).
 *
 * A slow client cannot grow memory: once its socket's buffer is full, messages wait in a queue of at most
 * `bufferMessages`; beyond, the oldest are dropped and the client is told how many (`event: dropped`).
 */
import type { FastifyInstance } from "fastify";
import type { ServerResponse } from "node:http";
import type { DeliveryOutcome } from "../delivery";
import { correlationOf, type NewEvent } from "../store";
import { routeKey } from "./query";

/** What one client asked for. */
export interface Filter {
  detailType?: string;
  source?: string;
  route?: string;
}

/** What the stream needs of a response (a `ServerResponse`). */
export type StreamResponse = Pick<ServerResponse, "write" | "once" | "on" | "end">;

interface Client {
  res: StreamResponse;
  filter: Filter;
  queue: string[];
  /** The socket's buffer is full: messages queue until it drains. */
  blocked: boolean;
  dropped: number;
  /** Ids of events this client was sent (bounded), so their outcomes pass a detail-type or source filter. */
  seen: Set<string>;
}

/** Errors in outcome messages are cut to this many characters (a processor's error can be long). */
const MAX_ERROR_CHARS = 1000;
/** A comment line every this many ms keeps proxies and clients from timing the stream out. */
const HEARTBEAT_MS = 15_000;

export class EventStream {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(private readonly bufferMessages: number) {}

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Announces the events of one commit. Costs one size check when nobody listens. */
  committed(events: readonly NewEvent[]): void {
    if (this.clients.size === 0) return;
    for (const e of events) {
      const data = {
        eventId: e.id,
        detailType: e.detailType,
        source: e.source,
        acceptedAt: new Date(e.acceptedAt).toISOString(),
        routes: e.routeKeys,
        correlationId: correlationOf({ id: e.id, correlation_id: e.correlationId }),
        ...(e.causeEvent ? { cause: { eventId: e.causeEvent, routeKey: e.causeRoute } } : {}),
        ...(e.replayName ? { replayName: e.replayName, replayOf: e.replayOf } : {}),
      };
      let text: string | undefined;
      for (const c of this.clients) {
        const f = c.filter;
        if (f.detailType !== undefined && f.detailType !== e.detailType) continue;
        if (f.source !== undefined && f.source !== e.source) continue;
        if (f.route !== undefined && !e.routeKeys.includes(f.route)) continue;
        if (f.detailType !== undefined || f.source !== undefined) remember(c, e.id, this.bufferMessages);
        this.send(c, (text ??= this.message("accepted", data)));
      }
    }
  }

  /** Announces a delivery attempt's outcome. */
  outcome(o: DeliveryOutcome): void {
    if (this.clients.size === 0) return;
    let text: string | undefined;
    for (const c of this.clients) {
      const f = c.filter;
      if (f.route !== undefined && f.route !== o.routeKey) continue;
      if ((f.detailType !== undefined || f.source !== undefined) && !c.seen.has(o.eventId)) continue;
      text ??= this.message("outcome", {
        eventId: o.eventId,
        routeKey: o.routeKey,
        attempt: o.attempt,
        status: o.status === "dead" ? "dead-lettered" : o.status,
        durationMs: o.durationMs,
        ...(o.error !== undefined ? { error: o.error.slice(0, MAX_ERROR_CHARS) } : {}),
      });
      this.send(c, text);
    }
  }

  /**
   * Registers the route, and ends every stream before the server closes (open streams would hold it). A `route`
   * filter must be one of `table`'s keys (400 otherwise, as `GET /local/events` answers): a misspelt one would
   * stream nothing, forever.
   */
  register(app: FastifyInstance, table: { routes: readonly { key: string }[] }): void {
    app.get<{ Querystring: Record<string, string | undefined> }>("/local/events/stream", (req, reply) => {
      const filter: Filter = {
        detailType: req.query["detail-type"] || undefined,
        source: req.query.source || undefined,
        route: routeKey(table, req.query.route),
      };
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      this.attach(res, filter);
    });
    app.addHook("preClose", async () => {
      for (const c of [...this.clients]) c.res.end();
      this.clients.clear();
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    });
  }

  /** Adds a client on an open response whose headers are sent; it leaves when the response closes. */
  attach(res: StreamResponse, filter: Filter = {}): void {
    res.write(": connected\n\n");
    const client: Client = { res, filter, queue: [], blocked: false, dropped: 0, seen: new Set() };
    this.clients.add(client);
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS).unref();
    res.on("close", () => this.remove(client));
  }

  private message(event: string, data: unknown): string {
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private send(c: Client, text: string): void {
    if (c.blocked) {
      c.queue.push(text);
      if (c.queue.length > this.bufferMessages) {
        c.queue.shift();
        c.dropped += 1;
      }
      return;
    }
    if (!c.res.write(text)) {
      c.blocked = true;
      c.res.once("drain", () => this.flush(c));
    }
  }

  /** The socket drained: what waited goes out, a note on what was dropped first. */
  private flush(c: Client): void {
    c.blocked = false;
    if (c.dropped > 0) {
      const dropped = c.dropped;
      c.dropped = 0;
      this.send(c, this.message("dropped", { dropped }));
    }
    while (c.queue.length > 0 && !c.blocked) this.send(c, c.queue.shift() as string);
  }

  private beat(): void {
    for (const c of this.clients) if (!c.blocked) c.res.write(": keep-alive\n\n");
  }

  private remove(c: Client): void {
    this.clients.delete(c);
    c.queue = [];
    if (this.clients.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}

/** Remembers `id` among the last `cap` events sent to `c`. */
function remember(c: Client, id: string, cap: number): void {
  c.seen.add(id);
  if (c.seen.size > cap) c.seen.delete(c.seen.values().next().value as string);
}
