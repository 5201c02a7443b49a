/**
 * A slow or greedy client cannot hold the server: headers or a body dribbled a byte at a time get a 408 and the
 * connection is closed, idle keep-alive connections are closed, connections beyond the cap are refused, and
 * what Node's parser and Fastify's router refuse (a malformed request, a request line or headers over 16 KB, a
 * path parameter over 100 characters) is answered in the contract's JSON shape. Raw `net` sockets, so the
 * bytes on the wire are exactly the test's.
 */
import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { request, sleep, startLocal, type Running } from "../helpers";

/** What a raw connection saw: the bytes it received and when it was closed (ms after connecting). */
interface Seen {
  text: string;
  closedAfterMs: number;
  /** The JSON body of the first answer, if any. */
  body?: Record<string, unknown>;
  status?: number;
}

/** Opens a connection, writes `chunks` one every `everyMs`, and resolves when the server closes it. */
function dribble(url: string, chunks: readonly string[], everyMs: number, giveUpMs = 10_000): Promise<Seen> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname);
    const started = Date.now();
    let text = "";
    let next = 0;
    const timer = setInterval(() => {
      if (next < chunks.length && !socket.destroyed) socket.write(chunks[next++]);
    }, everyMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on("data", (d: Buffer) => (text += d.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const json = text.split("\r\n\r\n")[1];
      let body: Record<string, unknown> | undefined;
      try {
        body = json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      resolve({
        text,
        closedAfterMs: Date.now() - started,
        body,
        status: status ? Number(status) : undefined,
      });
    });
  });
}

describe("local stack: slow and malformed clients", function () {
  const limits = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300, maxConnections: 8 };
  let server: Running;
  let host: string;
  before(async () => {
    server = await startLocal(limits);
    host = new URL(server.url).host;
  });
  after(async () => {
    await server?.stop();
  });

  it("answers 408 RequestTimeout to headers sent a line every 100 ms, and closes the connection", async () => {
    const lines = ["POST /events HTTP/1.1\r\n", `Host: ${host}\r\n`, ...Array(200).fill("X-Slow: 1\r\n")];
    const seen = await dribble(server.url, lines, 100);

    expect(seen.status, seen.text).to.equal(408);
    expect(seen.body).to.deep.include({ error: "RequestTimeout" });
    expect(seen.body?.message).to.match(/headers within 400 ms/);
    // The headers timeout, plus Node's check interval (a quarter of it) and a loaded machine's slack.
    expect(seen.closedAfterMs).to.be.below(3000);
  });

  it("answers 408 RequestTimeout to a body sent a byte every 100 ms, and closes the connection", async () => {
    const head =
      `POST /events HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: 200\r\n\r\n`;
    const seen = await dribble(server.url, [head, ...Array(200).fill(" ")], 100);

    expect(seen.status, seen.text).to.equal(408);
    expect(seen.body).to.deep.include({ error: "RequestTimeout" });
    expect(seen.closedAfterMs).to.be.below(3000);
  });

  it("closes an idle keep-alive connection after its timeout", async () => {
    const seen = await dribble(server.url, [`GET /local/health HTTP/1.1\r\nHost: ${host}\r\n\r\n`], 10);
    expect(seen.status).to.equal(200);
    expect(seen.closedAfterMs).to.be.below(3000);
  });

  it("refuses connections beyond the cap while they are held, and serves again once they close", async () => {
    const sockets: Socket[] = [];
    const { hostname, port } = new URL(server.url);
    try {
      for (let i = 0; i < limits.maxConnections; i++) {
        const s = connect(Number(port), hostname);
        s.on("error", () => undefined);
        // A request in progress, so the connections stay open (the header timeout is the test's clock).
        s.write(`POST /events HTTP/1.1\r\nHost: ${host}\r\n`);
        sockets.push(s);
      }
      await sleep(100);
      const extra = await dribble(server.url, [`GET /local/health HTTP/1.1\r\nHost: ${host}\r\n\r\n`], 1);
      expect(extra.text, "closed without an answer").to.equal("");
      expect(extra.closedAfterMs).to.be.below(1000);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await sleep(100);
    expect((await request(`${server.url}/local/health`)).status).to.equal(200);
  });

  const malformed: [name: string, raw: string, status: number, error: string][] = [
    ["a malformed request line", "GARBAGE\r\n\r\n", 400, "BadRequestBody"],
    [
      "a request line over 16 KB",
      `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      "URITooLong",
    ],
    [
      "headers over 16 KB",
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      431,
      "HeadersTooLarge",
    ],
    [
      "both Content-Length and Transfer-Encoding",
      "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
      400,
      "BadRequestBody",
    ],
  ];
  for (const [name, raw, status, error] of malformed) {
    it(`answers ${status} ${error} in the contract's shape to ${name}`, async () => {
      const seen = await dribble(server.url, [raw], 1);
      expect(seen.status, seen.text.slice(0, 300)).to.equal(status);
      expect(seen.text).to.match(/\r\nContent-Type: application\/json/i);
      expect(seen.body).to.deep.include({ error });
      expect(seen.body?.message).to.be.a("string");
    });
  }

  it("answers 414 URITooLong in the contract's shape to a path parameter over 100 characters", async () => {
    const reply = await request(`${server.url}/local/events/${"e".repeat(200)}`);
    expect(reply.status).to.equal(414);
    expect(reply.body).to.deep.include({ error: "URITooLong" });
  });

  it("answers 400 in the contract's shape to a malformed path", async () => {
    const seen = await dribble(
      server.url,
      [`GET /local/events/%zz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
      1,
    );
    expect(seen.status, seen.text).to.equal(400);
    expect(seen.body).to.deep.include({ error: "BadRequestBody" });
  });
});
