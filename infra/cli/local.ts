/**
 * The local stack as a target: every command is one of its `/local/` endpoints (local/README.md has their
 * shapes), and `events tail` reads its server-sent events. A connection that fails is a `UsageError` naming
 * the URL; an answer in the local stack's error shape is a `CommandFailed` with its message.
 */
import { createParser } from "eventsource-parser";
import { CommandFailed, UsageError, unreachable } from "./errors";
import {
  deadLetter,
  eventNode,
  processorsLine,
  replayProgress,
  tailLine,
  type DlqView,
  type ReplayView,
  type TreeView,
} from "./local-views";
import type {
  DeadLetter,
  DlqListing,
  Health,
  RedriveResult,
  ReplayProgress,
  ReplayRequest,
  RouteLine,
  TailFilter,
  TailLine,
  Target,
} from "./target";

export class LocalTarget implements Target {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly token?: string,
  ) {
    this.name = url;
  }

  async routes() {
    const raw = await this.get<{
      routes: {
        routeKey: string;
        ruleName: string;
        target: { arn: string };
        eventPattern: unknown;
        dlq: { open: number };
        counts: NonNullable<RouteLine["counts"]>;
      }[];
    }>("/local/routes");
    const routes = raw.routes.map((r): RouteLine => ({
      key: r.routeKey,
      ruleName: r.ruleName,
      state: "ENABLED",
      target: r.target.arn,
      pattern: JSON.stringify(r.eventPattern),
      counts: r.counts,
      deadLetters: r.dlq.open,
    }));
    return { routes, raw };
  }

  async tail(
    filter: TailFilter,
    onLine: (line: TailLine) => void,
    signal: AbortSignal,
    onReady: () => void,
  ): Promise<void> {
    if (filter.route) {
      // The stream filters without checking the key: an unknown one would show nothing, silently.
      const keys = (await this.routes()).routes.map((r) => r.key as string);
      if (!keys.includes(filter.route)) {
        throw new UsageError(`unknown route ${filter.route} (routes: ${keys.join(", ")})`);
      }
    }
    const query = new URLSearchParams();
    if (filter.detailType) query.set("detail-type", filter.detailType);
    if (filter.route) query.set("route", filter.route);
    const res = await this.fetch(`/local/events/stream?${query}`, { signal });
    if (!res.ok || !res.body) await this.fail(res);
    // The stream's headers are sent once the server holds this client: what is committed from now on is sent.
    onReady();
    const parser = createParser({
      onEvent: (message) => {
        const line = tailLine(message.event ?? "message", JSON.parse(message.data));
        if (line) onLine(line);
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch (err) {
      if (!signal.aborted) throw unreachable(err, `the local stack at ${this.url}`);
    }
  }

  async show(eventId: string) {
    const raw = await this.get<TreeView>(`/local/events/${encodeURIComponent(eventId)}`);
    const tree = eventNode(raw, "");
    if (raw.truncated)
      tree.children.push({ label: "… more events left out (the tree is capped)", children: [] });
    return { tree, raw };
  }

  async dlqList(route?: string): Promise<DlqListing> {
    const entries: DeadLetter[] = [];
    let count = 0;
    const pages: unknown[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: "1000" });
      if (route) query.set("route", route);
      if (cursor) query.set("cursor", cursor);
      const page: { count: number; entries: DlqView[]; nextCursor: string | null } = await this.get(
        `/local/dlq?${query}`,
      );
      pages.push(page);
      count = page.count;
      entries.push(...page.entries.map(deadLetter));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return { entries, count, raw: pages.length === 1 ? pages[0] : pages };
  }

  async dlqRedrive(select: { route?: string; ids?: string[] }): Promise<RedriveResult> {
    const ids = select.ids?.map((id) => {
      if (!/^\d+$/.test(id))
        throw new UsageError(`--ids: ${JSON.stringify(id)} is not a DLQ entry id (a number)`);
      return Number(id);
    });
    const raw = await this.post<{ redriven: number; entries: DlqView[]; entriesOmitted?: number }>(
      "/local/dlq/redrive",
      { ...(ids ? { ids } : {}), ...(select.route ? { route: select.route } : {}) },
    );
    const done = raw.entries.map((e) => String(e.id));
    // An id asked for and not redriven is named, as the AWS target names one not in its queues (when the answer
    // lists every entry it redrove: it lists the first 1,000).
    const failed =
      raw.entriesOmitted === undefined
        ? (select.ids ?? [])
            .filter((id) => !done.includes(String(Number(id))))
            .map((id) => ({
              id,
              error: `not a dead letter of ${select.route ? `route ${select.route}` : "this stack"}`,
            }))
        : [];
    return { redriven: raw.redriven, ids: done, failed, raw };
  }

  async startReplay(request: ReplayRequest): Promise<ReplayProgress> {
    const raw = await this.post<ReplayView>("/local/replay", {
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      name: request.name,
      ...(request.route ? { route: request.route } : {}),
    });
    return replayProgress(raw);
  }

  async replayProgress(name: string): Promise<ReplayProgress> {
    return replayProgress(await this.get<ReplayView>(`/local/replays/${encodeURIComponent(name)}`));
  }

  async health(): Promise<Health> {
    const raw = await this.get<{
      status: string;
      isolation: "workers" | "none";
      workers?: { workers: number; started: number; crashed: number; timedOut: number };
      events: number;
      deliveries: Record<string, number>;
      open: number;
      maxPending: number;
      yieldingToIngest: boolean;
      dlq: number;
      routes: string[];
    }>("/local/health");
    const d = raw.deliveries;
    return {
      ok: raw.status === "ok",
      facts: [
        ["status", raw.status],
        ["processors", processorsLine(raw.isolation, raw.workers)],
        ["events", String(raw.events)],
        [
          "backlog",
          `${raw.open} open of ${raw.maxPending}${raw.yieldingToIngest ? " (yielding to ingest)" : ""}`,
        ],
        [
          "deliveries",
          `${d.pending} pending, ${d.inFlight} in flight, ${d.retrying} retrying, ${d.done} done, ${d.deadLettered} dead-lettered`,
        ],
        ["dead letters", String(raw.dlq)],
        ["routes", raw.routes.join(", ")],
      ],
      raw,
    };
  }

  private async get<T>(path: string): Promise<T> {
    return this.json<T>(await this.fetch(path));
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(
      await this.fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    try {
      return await fetch(new URL(path, this.url), { ...init, headers });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const reason = unreachable(err, `the local stack at ${this.url}`);
      if (reason instanceof UsageError) {
        throw new UsageError(`${reason.message}: start it with npm start, or pass --url`);
      }
      throw reason;
    }
  }

  private async json<T>(res: Response): Promise<T> {
    if (!res.ok) await this.fail(res);
    try {
      return (await res.json()) as T;
    } catch {
      throw new UsageError(`${this.url} did not answer as the local stack does (no JSON from ${res.url})`);
    }
  }

  /** Throws for a non-2xx answer: the local stack's own error as `CommandFailed`, anything else as usage. */
  private async fail(res: Response): Promise<never> {
    const text = await res.text();
    let body: { error?: unknown; message?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not the local stack's error shape: reported below with the status alone.
    }
    if (typeof body.error === "string" && typeof body.message === "string") {
      throw new CommandFailed(`${body.error}: ${body.message}`);
    }
    throw new UsageError(
      `${this.url} did not answer as the local stack does (HTTP ${res.status} from ${res.url})`,
    );
  }
}
