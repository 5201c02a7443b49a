/**
 * `GET /local/events/stream`: server-sent events of accepted events and delivery outcomes, filtered by the
 * query; a slow client's messages wait in a bounded queue (oldest dropped, the client told how many), so it
 * cannot grow the server's memory.
 */
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { EventStream } from "../../../local/http";
import type { NewEvent } from "../../../local/store";
import { accept, fixture, request, startLocal, withStack, type Running } from "../helpers";

/** Reads server-sent events from `url` until `enough` says so (or `timeoutMs`); returns them. */
async function readStream(
  url: string,
  enough: (events: { event: string; data: Record<string, unknown> }[]) => boolean,
  whileOpen: () => Promise<void>,
  timeoutMs = 10_000,
): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  expect(res.headers.get("content-type")).to.match(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let buffer = "";
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  await whileOpen();
  try {
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
  } catch {
    // Aborted at the timeout: the caller's assertions say what was missing.
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe("local stack: the live event stream", function () {
  let server: Running;
  withStack((s) => (server = s));

  it("streams each accepted event and its deliveries' outcomes, filtered by detail-type", async () => {
    let id = "";
    const events = await readStream(
      `${server.url}/local/events/stream?detail-type=user-registered`,
      (evs) => evs.some((e) => e.event === "outcome" && e.data.eventId === id),
      async () => {
        await accept(server.url, "notification-sent", fixture("notification-sent").detail);
        id = await accept(server.url, "user-registered", fixture("user-registered").detail);
      },
    );

    const accepted = events.filter((e) => e.event === "accepted");
    expect(accepted.map((e) => e.data.detailType)).to.deep.equal(["user-registered"]);
    expect(accepted[0].data).to.deep.include({
      eventId: id,
      source: "backbone.api",
      routes: ["user-registered"],
      correlationId: id.replace(/-/g, ""),
    });
    const outcomes = events.filter((e) => e.event === "outcome");
    expect(outcomes.map((e) => [e.data.eventId, e.data.routeKey, e.data.status])).to.deep.equal([
      [id, "user-registered", "done"],
    ]);
    expect(outcomes[0].data.durationMs).to.be.a("number");
  });

  it("refuses a route filter the table has no route for, as GET /local/events does, instead of streaming nothing", async () => {
    const reply = await request(`${server.url}/local/events/stream?route=nope`);

    expect(reply.status).to.equal(400);
    expect(reply.body.message).to.match(/^query route must be one of .*order-created.*; got "nope"$/);
  });

  it("ends open streams when the server closes", async () => {
    const local = await startLocal();
    const res = await fetch(`${local.url}/local/events/stream`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await local.stop();
    const { done } = await reader.read();
    expect(done).to.equal(true);
  });
});

describe("local stack: a slow stream client", () => {
  /** A response whose socket buffer is full until `drain()`. */
  class SlowResponse extends EventEmitter {
    written: string[] = [];
    full = false;
    write(text: string): boolean {
      this.written.push(text);
      return !this.full;
    }
    end(): this {
      return this;
    }
    drain(): void {
      this.full = false;
      this.emit("drain");
    }
  }
  const event = (n: number): NewEvent => ({
    id: `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`,
    detailType: "t",
    source: "s",
    acceptedAt: 0,
    envelope: "{}",
    routeKeys: [],
  });

  it("keeps at most its buffer of messages while blocked, drops the oldest and says how many", () => {
    const stream = new EventStream(3);
    const res = new SlowResponse();
    stream.attach(res as never);
    res.full = true;
    stream.committed([event(0)]);
    // The socket is full from the first message: 10 more wait, of which the buffer keeps the last 3.
    for (let n = 1; n <= 10; n++) stream.committed([event(n)]);
    expect(res.written).to.have.length(2);

    res.drain();

    const after = res.written.slice(2);
    expect(after[0]).to.match(/^id: \d+\nevent: dropped\ndata: \{"dropped":7\}/);
    expect(after.slice(1).map((t) => /"eventId":"([^"]+)"/.exec(t)?.[1].slice(-2))).to.deep.equal([
      "08",
      "09",
      "10",
    ]);
    res.emit("close");
    expect(stream.size).to.equal(0);
  });
});
