/**
 * The typed producer client: `createClient({ url })` then `send("order-created", detail)`. Each detail is
 * checked against its schema before anything is sent (the catalogue's compiled checks, `CatalogValidator`),
 * then POSTed to `/events`; throttling (429), server failures (5xx) and lost connections are retried with
 * backoff and jitter (see `retry.ts`), honouring `Retry-After`. Works against the local stack and a deployed
 * `apiUrl` alike: both speak the same HTTP contract (README "The HTTP contract").
 *
 * A retried request can duplicate an event when an answer is lost after the API accepted it (at least once, like
 * the rest of the backbone): each attempt gets a new event id.
 */
import { routes } from "../routes";
import { CatalogValidator, eventCatalog } from "../table";
import {
  BatchSendError,
  DeliveryFailedError,
  EventRejectedError,
  EventValidationError,
  type BatchResult,
} from "./errors";
import { backoffMs, isRetryableStatus, retryAfterMs, retryPolicy, type RetryOptions } from "./retry";
import type { DetailOf, DetailType, EventInput } from "./types";

/** How the client waits and tells the time; replaced in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Options of `createClient`. */
export interface ClientOptions {
  /** Full URL of `POST /events`: `pulumi stack output apiUrl`, or `http://127.0.0.1:3000/events` locally. */
  readonly url: string;
  /** Sent as `x-api-key` (a stack deployed with `apiKeyRequired`). */
  readonly apiKey?: string;
  /** The `fetch` to use; default: Node's global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Retry limits; see `RetryOptions` for the defaults. */
  readonly retry?: RetryOptions;
  /** One request's time limit in ms (default 10,000); a request that times out is a failed attempt. */
  readonly timeoutMs?: number;
  /** How many requests `sendBatch` keeps in flight (default 4). */
  readonly concurrency?: number;
  /** Default: the wall clock and `setTimeout`. */
  readonly clock?: Clock;
  /** The jitter's random source, in [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/** An accepted event. */
export interface SendResult {
  readonly detailType: string;
  /** The id the API gave the event (`GET /local/events/:id` locally). */
  readonly eventId: string;
  /** Requests it took, the first included. */
  readonly attempts: number;
}

/** The client `createClient` returns. */
export interface BackboneClient {
  /**
   * Sends one event. Throws `EventValidationError` before any request when `detail` breaks its schema,
   * `EventRejectedError` on a 4xx other than 429 (not retried), `DeliveryFailedError` when retries run out.
   */
  send<T extends DetailType>(detailType: T, detail: DetailOf<T>): Promise<SendResult>;
  /**
   * Sends several events (one request each: the HTTP contract takes one event per request). Every detail is
   * checked first: one invalid detail throws `EventValidationError` (with its `index`) and nothing is sent.
   * Resolves with one result per event, in order; throws `BatchSendError` (with every result, accepted ones
   * included) when any event was not accepted.
   */
  sendBatch(events: readonly EventInput[]): Promise<SendResult[]>;
  /** What is wrong with an event, as `send` would report it (`[]` when it is valid). Sends nothing. */
  problems(detailType: string, detail: unknown): string[];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONCURRENCY = 4;

const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

let sharedValidator: CatalogValidator | undefined;
/** Compiled once per process, on first use: every client checks against the same table. */
function validator(): CatalogValidator {
  sharedValidator ??= new CatalogValidator(eventCatalog(routes));
  return sharedValidator;
}

/** One attempt's outcome. */
type Attempt =
  | { kind: "accepted"; eventId: string }
  | { kind: "rejected"; error: EventRejectedError }
  | { kind: "retry"; status?: number; error: string; retryAfterMs?: number };

/**
 * `text` as the URL of `POST /events`; a `TypeError` for one that is not http(s), or that names another path (the
 * stage's or the server's root answers something else entirely: API Gateway's "Missing Authentication Token",
 * the local stack's EventBridge API), with the URL it probably meant.
 */
export function eventsUrl(text: string): URL {
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`url must be http or https, got ${JSON.stringify(text)}`);
  }
  if (!url.pathname.endsWith("/events")) {
    const path = url.pathname.replace(/\/+$/, "");
    // `…/events/` only has a slash too many.
    const meant = `${url.origin}${path.endsWith("/events") ? path : `${path}/events`}`;
    throw new TypeError(
      `url must be the POST /events URL (\`pulumi stack output apiUrl\`, or http://127.0.0.1:3000/events locally), ` +
        `got ${JSON.stringify(text)}: did you mean ${meant}?`,
    );
  }
  return url;
}

/** The longest timer Node keeps (2^31 - 1 ms, about 24.8 days): `AbortSignal.timeout` refuses more. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Creates a client for the API at `options.url`. Throws a `TypeError` for a URL `eventsUrl` refuses and a
 * `RangeError` for a bad `timeoutMs`, `concurrency` or `retry` option.
 */
export function createClient(options: ClientOptions): BackboneClient {
  const url = eventsUrl(options.url);
  const policy = retryPolicy(options.retry);
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? wallClock;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Refused here, like the retry options: a NaN concurrency (an unset `Number(process.env.X)`) started no sender
  // and resolved a batch with nothing sent, and a bad timeout failed every attempt as if the network had.
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `timeoutMs must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}, got ${timeoutMs}`,
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!(Number.isInteger(concurrency) && concurrency >= 1) && concurrency !== Infinity) {
    throw new RangeError(`concurrency must be a whole number >= 1 (or Infinity), got ${concurrency}`);
  }
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (options.apiKey !== undefined) headers["x-api-key"] = options.apiKey;

  async function attempt(body: string): Promise<Attempt> {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const e = err as Error;
      return {
        kind: "retry",
        error: e.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : e.message,
      };
    }
    const parsed = parseJson(text);
    const errorName = typeof parsed?.error === "string" ? parsed.error : `HTTP ${response.status}`;
    const message = typeof parsed?.message === "string" ? parsed.message : text.slice(0, 500);
    if (response.status >= 200 && response.status < 300) {
      if (typeof parsed?.eventId === "string") return { kind: "accepted", eventId: parsed.eventId };
      // A 2xx without an event id is not the backbone's API: retrying the same URL cannot fix it.
      return {
        kind: "rejected",
        error: new EventRejectedError(
          response.status,
          "UnexpectedResponse",
          `no eventId in ${text.slice(0, 200)}`,
        ),
      };
    }
    if (isRetryableStatus(response.status)) {
      return {
        kind: "retry",
        status: response.status,
        error: errorName,
        retryAfterMs: retryAfterMs(response.headers.get("retry-after"), clock.now()),
      };
    }
    return { kind: "rejected", error: new EventRejectedError(response.status, errorName, message) };
  }

  async function deliver(detailType: string, detail: unknown): Promise<SendResult> {
    const body = JSON.stringify({ "detail-type": detailType, detail });
    const started = clock.now();
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(body);
      if (outcome.kind === "accepted") return { detailType, eventId: outcome.eventId, attempts };
      if (outcome.kind === "rejected") throw outcome.error;
      if (attempts >= policy.maxAttempts) {
        throw new DeliveryFailedError(attempts, "attempts", outcome.status, outcome.error);
      }
      const delay = outcome.retryAfterMs ?? backoffMs(attempts, policy, random);
      if (clock.now() + delay - started > policy.maxElapsedMs) {
        throw new DeliveryFailedError(attempts, "time", outcome.status, outcome.error);
      }
      await clock.sleep(delay);
    }
  }

  function check(detailType: string, detail: unknown, index?: number): void {
    const problems = validator().problems(detailType, detail);
    if (problems.length > 0) throw new EventValidationError(detailType, problems, index);
  }

  return {
    async send(detailType, detail) {
      check(detailType, detail);
      return deliver(detailType, detail);
    },
    async sendBatch(events) {
      events.forEach((e, i) => check(e.detailType, e.detail, i));
      const results: BatchResult[] = new Array(events.length);
      let next = 0;
      const worker = async () => {
        while (next < events.length) {
          const i = next++;
          const { detailType, detail } = events[i];
          try {
            results[i] = await deliver(detailType, detail);
          } catch (err) {
            if (!(err instanceof EventRejectedError || err instanceof DeliveryFailedError)) throw err;
            results[i] = { detailType, error: err };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
      if (results.some((r) => "error" in r)) throw new BatchSendError(results);
      return results as SendResult[];
    },
    problems(detailType, detail) {
      return validator().problems(detailType, detail);
    },
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
