/**
 * The shape of one business scenario (rows of `scenarios.json`) and of its result. The table is data; the runner
 * in `../scenarios.ts` is generic and knows no event type.
 */

/** What a route's processing must look like once it settled (local stack only). */
export interface RouteExpectation {
  /** Final status of the route for this event, as `GET /local/events/:id` reports it (e.g. "done"). */
  status: string;
  /** Deep subset the processor's result must contain (objects compared key by key, everything else with ===). */
  result?: Record<string, unknown>;
}

/** An event a processor must have emitted while handling the scenario's event (local stack only). */
export interface EmitExpectation {
  "detail-type": string;
  /** The emitting processor's source, `backbone.<processor>`. */
  source: string;
  /** Deep subset of the emitted event's detail. */
  detail?: Record<string, unknown>;
  /** How the emitted event itself must have been processed. */
  routes?: Record<string, RouteExpectation>;
}

/** The processing outcome checked against the local stack. */
export interface OutcomeExpectation {
  /** Exactly these routes match the event (no more, no fewer), each with its expected outcome. */
  routes: Record<string, RouteExpectation>;
  emits?: EmitExpectation[];
}

export interface Scenario {
  name: string;
  request: {
    /** JSON body, serialized by the runner. */
    body?: unknown;
    /** Raw body text, sent as is (malformed JSON, wrong content type). Wins over `body`. */
    raw?: string;
    /** Content-Type header; defaults to application/json. */
    contentType?: string;
  };
  expect: {
    status: number;
    /** The stable `error` name of a non-2xx answer. */
    error?: string;
    /** Substrings the error message must contain (the offending key). */
    messageIncludes?: string[];
    outcome?: OutcomeExpectation;
  };
}

/** One scenario's verdict. */
export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** HTTP status received, or undefined when the request itself failed. */
  status?: number;
  eventId?: string;
  /** Whether the processing outcome was checked (only against the local stack, only when expected). */
  outcomeChecked: boolean;
  /** Human-readable reasons; empty when ok. */
  failures: string[];
  ms: number;
  /** The request got no connection at all (refused, reset, host unknown). */
  unreachable?: boolean;
}
