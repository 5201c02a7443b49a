/**
 * Open-loop, evenly paced load: request i is sent at `start + i / rate`, whatever happened to the earlier ones,
 * over a pool of keep-alive connections. "1,000 events/s" then means one event every millisecond.
 *
 * Why not autocannon's `overallRate`: its rate limit is a per-connection counter reset by a one-second
 * `setInterval` (autocannon 9, `lib/httpClient.js`: `reqsMadeThisSecond`), so each connection sends its whole
 * second's share back to back as soon as the second starts, then idles. At 1,000/s over 50 connections that is
 * a burst of 1,000 requests at the top of every second, answered as fast as the server can, which measures
 * full-speed bursts rather than a rate. The bench reports that load too, as a diagnostic.
 *
 * Answer latency is taken from each request's scheduled time, so a server that falls behind is charged for
 * the wait (no coordinated omission).
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { validBodies } from "./load";

export interface PacedOptions {
  /** Full `POST /events` URL. */
  url: string;
  /** Requests per second. */
  rate: number;
  /** Number of requests. */
  count: number;
  /** Keep-alive connections at most (requests beyond wait for one, their wait counted). */
  connections: number;
  /** Request bodies, in rotation (default: the scenario table's valid bodies). */
  bodies?: readonly string[];
}

export interface PacedResult {
  /** Ids of the accepted (202) events, in answer order. */
  acceptedIds: string[];
  /** Answers per status code (0: the request failed without an answer). */
  statuses: Record<number, number>;
  /** Milliseconds from each request's scheduled send time to its answer. */
  latenciesMs: number[];
  /** Seconds from the first scheduled send to the last answer. */
  durationS: number;
  /** Milliseconds each request was sent after its scheduled time (timer granularity, a busy generator). */
  sendLagMs: number[];
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const { url, rate, count, connections } = options;
  const bodies = (options.bodies ?? validBodies).map((b) => Buffer.from(b));
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const result: PacedResult = { acceptedIds: [], statuses: {}, latenciesMs: [], durationS: 0, sendLagMs: [] };
  const interval = 1000 / rate;
  const start = performance.now();
  let answered = 0;

  await new Promise<void>((finish) => {
    const settle = (status: number, scheduled: number, body: string) => {
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      result.latenciesMs.push(performance.now() - scheduled);
      if (status === 202) result.acceptedIds.push((JSON.parse(body) as { eventId: string }).eventId);
      if (++answered === count) finish();
    };
    const send = (i: number, scheduled: number) => {
      const body = bodies[i % bodies.length];
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => settle(res.statusCode ?? 0, scheduled, Buffer.concat(chunks).toString("utf8")));
        },
      );
      req.on("error", () => settle(0, scheduled, ""));
      req.end(body);
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < count && start + next * interval <= now) {
        const scheduled = start + next * interval;
        result.sendLagMs.push(now - scheduled);
        send(next, scheduled);
        next += 1;
      }
      if (next < count) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    tick();
  });
  result.durationS = (performance.now() - start) / 1000;
  agent.destroy();
  return result;
}
