/**
 * The typed producer client against a tiny scripted `node:http` server on 127.0.0.1 (port 0): what it sends,
 * what it refuses to send, what it retries and how long it waits (a virtual clock records every wait).
 */
import { expect } from "chai";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  backoffMs,
  BatchSendError,
  createClient,
  DeliveryFailedError,
  EventRejectedError,
  EventValidationError,
  eventsUrl,
  isRetryableStatus,
  RETRY_DEFAULTS,
  retryAfterMs,
  type ClientOptions,
  type EventInput,
} from "../../../infra/client";

/** One scripted answer: a status with a JSON body and headers, or a dropped connection, optionally late. */
interface Answer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Answer after this many ms. */
  delayMs?: number;
}

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A server answering request N with `answers[N]` (500 once the script runs out). */
async function scriptedServer(
  answers: Answer[],
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const answer = answers[received.length] ?? { status: 500, body: { error: "ScriptExhausted" } };
      received.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(text) });
      const eventId = `evt-${received.length}`;
      setTimeout(() => {
        if (answer.drop) return void req.socket.destroy();
        res.writeHead(answer.status ?? 202, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify(answer.body ?? { eventId }));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A virtual clock: `sleep` records the wait and moves time on at once. */
function virtualClock(start = Date.parse("2025-01-06T09:30:00Z")) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

const order = { orderId: "ORD-12345", customerId: "CUST-001", amount: 99.99, items: ["laptop", "mouse"] };

describe("producer client (infra/client)", () => {
  let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A client for a server scripted with `answers`, on a virtual clock with jitter fixed at 0.5. */
  async function clientFor(answers: Answer[], options: Partial<ClientOptions> = {}) {
    server = await scriptedServer(answers);
    const time = virtualClock();
    const client = createClient({ url: server.url, clock: time.clock, random: () => 0.5, ...options });
    return { client, received: server.received, sleeps: time.sleeps };
  }

  it("202: POSTs the contract's body as JSON, with the API key, and returns the event id", async () => {
    const { client, received } = await clientFor([{ status: 202, body: { eventId: "evt-a" } }], {
      apiKey: "k-1",
    });
    const result = await client.send("order-created", order);
    expect(result).to.deep.equal({ detailType: "order-created", eventId: "evt-a", attempts: 1 });
    expect(received).to.have.length(1);
    expect(received[0]).to.deep.include({ method: "POST", url: "/events" });
    expect(received[0].headers).to.include({ "content-type": "application/json", "x-api-key": "k-1" });
    expect(received[0].body).to.deep.equal({ "detail-type": "order-created", detail: order });
  });

  it("sends no x-api-key header without an API key", async () => {
    const { client, received } = await clientFor([{ status: 202 }]);
    await client.send("user-registered", { userId: "U-1", email: "ada@example.com" });
    expect(received[0].headers).to.not.have.property("x-api-key");
  });

  it("a detail that breaks its schema: EventValidationError naming the key, and no request", async () => {
    const { client, received } = await clientFor([{ status: 202 }]);
    let error: unknown;
    // @ts-expect-error amount is a number in the order-created schema: the client's types refuse a string.
    await client.send("order-created", { ...order, amount: "99.99" }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(EventValidationError);
    expect((error as EventValidationError).problems).to.deep.equal(["detail.amount must be number"]);
    expect((error as EventValidationError).message).to.equal("order-created: detail.amount must be number");
    // @ts-expect-error not a detail-type of the table
    await client.send("order-deleted", {}).catch((e: unknown) => (error = e));
    expect((error as EventValidationError).problems[0]).to.match(
      /^detail-type "order-deleted" is not one of:/,
    );
    expect(received).to.have.length(0);
  });

  it("400: EventRejectedError with the contract's error name and message, not retried", async () => {
    const { client, received } = await clientFor([
      { status: 400, body: { error: "BadRequestBody", message: "detail.orderId is required" } },
    ]);
    let error: unknown;
    await client.send("order-created", order).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(EventRejectedError);
    expect(error).to.include({ status: 400, error: "BadRequestBody" });
    expect((error as Error).message).to.equal("400 BadRequestBody: detail.orderId is required");
    expect(received).to.have.length(1);
  });

  it("429 with Retry-After in seconds: waits exactly that long, then succeeds", async () => {
    const { client, received, sleeps } = await clientFor([
      { status: 429, body: { error: "TooManyRequests" }, headers: { "retry-after": "2" } },
      { status: 202, body: { eventId: "evt-b" } },
    ]);
    const result = await client.send("order-created", order);
    expect(result).to.include({ eventId: "evt-b", attempts: 2 });
    expect(sleeps).to.deep.equal([2000]);
    expect(received.map((r) => r.body)).to.deep.equal([received[0].body, received[0].body]);
  });

  it("503 with Retry-After as an HTTP date: waits until then", async () => {
    const { client, sleeps } = await clientFor([
      { status: 503, headers: { "retry-after": "Mon, 06 Jan 2025 09:30:03 GMT" } },
      { status: 202 },
    ]);
    await client.send("order-created", order);
    expect(sleeps).to.deep.equal([3000]);
  });

  it("5xx without Retry-After: exponential backoff with full jitter", async () => {
    const { client, sleeps } = await clientFor([
      { status: 503 },
      { status: 500, body: { error: "PutEventsFailed", code: "InternalFailure" } },
      { status: 502 },
      { status: 202 },
    ]);
    const result = await client.send("order-created", order);
    expect(result.attempts).to.equal(4);
    // random() = 0.5 of a ceiling of 100, 200, 400 ms.
    expect(sleeps).to.deep.equal([50, 100, 200]);
  });

  it("a dropped connection and a request over its time limit are retried like a 5xx", async () => {
    const { client, received, sleeps } = await clientFor(
      [{ drop: true }, { status: 202, delayMs: 400 }, { status: 202, body: { eventId: "evt-c" } }],
      { timeoutMs: 100 },
    );
    const result = await client.send("order-created", order);
    expect(result).to.include({ eventId: "evt-c", attempts: 3 });
    expect(received).to.have.length(3);
    expect(sleeps).to.have.length(2);
  });

  it("gives up at the attempt limit with DeliveryFailedError, last status included", async () => {
    const { client, received, sleeps } = await clientFor(
      [{ status: 503 }, { status: 503 }, { status: 503, body: { error: "ServiceUnavailable" } }],
      { retry: { maxAttempts: 3 } },
    );
    let error: unknown;
    await client.send("order-created", order).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DeliveryFailedError);
    expect(error).to.include({
      attempts: 3,
      limit: "attempts",
      lastStatus: 503,
      lastError: "ServiceUnavailable",
    });
    expect(received).to.have.length(3);
    expect(sleeps).to.have.length(2);
  });

  it("gives up, without waiting, when Retry-After is past the time limit", async () => {
    const { client, received, sleeps } = await clientFor(
      [{ status: 429, body: { error: "TooManyRequests" }, headers: { "retry-after": "120" } }],
      { retry: { maxElapsedMs: 60_000 } },
    );
    let error: unknown;
    await client.send("order-created", order).catch((e: unknown) => (error = e));
    expect(error).to.include({ attempts: 1, limit: "time", lastStatus: 429, lastError: "TooManyRequests" });
    expect(received).to.have.length(1);
    expect(sleeps).to.deep.equal([]);
  });

  it("a 2xx without an event id is not the backbone's API: rejected, not retried", async () => {
    const { client, received } = await clientFor([{ status: 200, body: { ok: true } }]);
    let error: unknown;
    await client.send("order-created", order).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(EventRejectedError);
    expect(error).to.include({ status: 200, error: "UnexpectedResponse" });
    expect(received).to.have.length(1);
  });

  describe("sendBatch", () => {
    const batch: EventInput[] = [
      { detailType: "order-created", detail: order },
      { detailType: "user-registered", detail: { userId: "U-1", email: "ada@example.com" } },
      { detailType: "analytics-event", detail: { eventType: "click", userId: "U-1" } },
    ];

    it("sends every event and returns the results in input order", async () => {
      const { client, received } = await clientFor([{ status: 202 }, { status: 202 }, { status: 202 }], {
        concurrency: 2,
      });
      const results = await client.sendBatch(batch);
      expect(results.map((r) => r.detailType)).to.deep.equal(batch.map((e) => e.detailType));
      expect(new Set(results.map((r) => r.eventId)).size).to.equal(3);
      expect(received.map((r) => (r.body as { "detail-type": string })["detail-type"]).sort()).to.deep.equal(
        batch.map((e) => e.detailType).sort(),
      );
    });

    it("checks every event first: one bad detail sends nothing and names its index", async () => {
      const { client, received } = await clientFor([{ status: 202 }]);
      const bad = [batch[0], { detailType: "user-registered", detail: { userId: "U-1" } }] as EventInput[];
      let error: unknown;
      await client.sendBatch(bad).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(EventValidationError);
      expect(error).to.include({ index: 1, detailType: "user-registered" });
      expect((error as Error).message).to.equal("event #1 user-registered: detail.email is required");
      expect(received).to.have.length(0);
    });

    it("reports which events were not accepted, with the accepted ones' ids", async () => {
      const { client } = await clientFor(
        [
          { status: 202, body: { eventId: "e-1" } },
          { status: 400, body: { error: "BadRequestBody", message: "m" } },
          { status: 202, body: { eventId: "e-3" } },
        ],
        { concurrency: 1 },
      );
      let error: unknown;
      await client.sendBatch(batch).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(BatchSendError);
      const results = (error as BatchSendError).results;
      expect(results[0]).to.deep.include({ eventId: "e-1" });
      expect((results[1] as { error: EventRejectedError }).error).to.include({ status: 400 });
      expect(results[2]).to.deep.include({ eventId: "e-3" });
      expect((error as Error).message).to.equal("1 of 3 events were not accepted");
    });
  });

  it("refuses a URL that is not http(s) and a retry policy that makes no sense", () => {
    expect(() => createClient({ url: "ftp://127.0.0.1/events" })).to.throw(TypeError, /http or https/);
    expect(() => createClient({ url: "not a url" })).to.throw(TypeError);
    expect(() => createClient({ url: "http://127.0.0.1/events", retry: { maxAttempts: 0 } })).to.throw(
      RangeError,
      /maxAttempts/,
    );
  });

  const badOptions: { option: Record<string, number>; says: RegExp }[] = [
    { option: { concurrency: NaN }, says: /concurrency must be a whole number >= 1/ }, // an unset Number(env)
    { option: { concurrency: 0 }, says: /concurrency/ },
    { option: { concurrency: 2.5 }, says: /concurrency/ },
    { option: { timeoutMs: NaN }, says: /timeoutMs must be a whole number of ms/ },
    { option: { timeoutMs: -1 }, says: /timeoutMs/ },
    { option: { timeoutMs: 1e12 }, says: /timeoutMs .* to 2147483647/ },
  ];
  for (const c of badOptions) {
    it(`refuses ${JSON.stringify(c.option).replace("null", "NaN")} at createClient with a RangeError`, () => {
      expect(() => createClient({ url: "http://127.0.0.1/events", ...c.option })).to.throw(
        RangeError,
        c.says,
      );
    });
  }

  it("takes an unlimited concurrency (Infinity) and the longest timeout Node keeps", () => {
    expect(() =>
      createClient({ url: "http://127.0.0.1/events", concurrency: Infinity, timeoutMs: 2 ** 31 - 1 }),
    ).to.not.throw();
  });

  // A server or stage root answers another API (the local stack's EventBridge API, API Gateway's 403).
  const notEvents: [given: string, meant: string][] = [
    ["http://127.0.0.1:3000", "http://127.0.0.1:3000/events"],
    ["http://127.0.0.1:3000/", "http://127.0.0.1:3000/events"],
    [
      "https://abc123.execute-api.ap-southeast-2.amazonaws.com/v1",
      "https://abc123.execute-api.ap-southeast-2.amazonaws.com/v1/events",
    ],
    ["http://127.0.0.1:3000/event", "http://127.0.0.1:3000/event/events"],
    ["http://127.0.0.1:3000/events/", "http://127.0.0.1:3000/events"],
  ];
  for (const [given, meant] of notEvents) {
    it(`refuses ${given}, which is not POST /events, saying which URL it probably meant`, () => {
      expect(() => createClient({ url: given })).to.throw(TypeError, `did you mean ${meant}?`);
    });
  }

  it("takes a deployed API's URL with its stage, and the local one", () => {
    for (const url of [
      "https://abc123.execute-api.ap-southeast-2.amazonaws.com/v1/events",
      "http://[::1]:3000/events",
    ])
      expect(eventsUrl(url).href).to.equal(url);
  });

  it("problems() says what send would refuse, sending nothing", () => {
    const client = createClient({ url: "http://127.0.0.1:9/events" });
    expect(client.problems("order-created", order)).to.deep.equal([]);
    expect(client.problems("order-created", { ...order, items: [] })).to.deep.equal([
      "detail.items: expected array length to be greater or equal to 1",
    ]);
  });
});

describe("producer client retry rules (pure)", () => {
  const now = Date.parse("2025-01-06T09:30:00Z");
  const retryAfter: [string | null, number | undefined][] = [
    ["3", 3000],
    ["0", 0],
    [" 7 ", 7000],
    ["Mon, 06 Jan 2025 09:30:10 GMT", 10_000],
    ["Mon, 06 Jan 2025 09:29:00 GMT", 0],
    ["1.5", undefined],
    ["soon", undefined],
    ["2025-01-06T09:30:10Z", undefined],
    [null, undefined],
  ];
  for (const [header, ms] of retryAfter) {
    it(`Retry-After ${JSON.stringify(header)} → ${ms === undefined ? "backoff" : `${ms} ms`}`, () => {
      expect(retryAfterMs(header, now)).to.equal(ms);
    });
  }

  it("backoff: full jitter under a doubling ceiling capped at maxDelayMs", () => {
    expect([1, 2, 3].map((retry) => backoffMs(retry, RETRY_DEFAULTS, () => 0.999))).to.deep.equal([
      99, 199, 399,
    ]);
    expect(backoffMs(20, RETRY_DEFAULTS, () => 0.999)).to.equal(4995);
    expect(backoffMs(3, RETRY_DEFAULTS, () => 0)).to.equal(0);
  });

  it("retries 429 and 5xx only", () => {
    const retried = [200, 202, 400, 401, 403, 404, 413, 415, 429, 500, 502, 503, 504].filter(
      isRetryableStatus,
    );
    expect(retried).to.deep.equal([429, 500, 502, 503, 504]);
  });
});
