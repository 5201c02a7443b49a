/**
 * Load generation with autocannon: the product description's valid request bodies (from the scenario table), in
 * rotation, against `POST /events`; keeps the id of every accepted event so the bench can prove each one durable.
 */
import autocannon from "autocannon";
import { scenarios } from "../../../local/scenarios";

/** Every accepted (202) body of the scenario table: order, onboarding, notification, tickets, analytics. */
export const validBodies: readonly string[] = scenarios
  .filter((s) => s.expect.status === 202 && s.request.body !== undefined)
  .map((s) => JSON.stringify(s.request.body));

export interface LoadOptions {
  /** Full `POST /events` URL. */
  url: string;
  connections: number;
  /** Seconds (ignored when `amount` is set). */
  duration?: number;
  /** Total number of requests. */
  amount?: number;
  /** Requests per second over all connections (paced load); unlimited when unset. */
  overallRate?: number;
  /** Request bodies, sent in rotation (default: `validBodies`). */
  bodies?: readonly string[];
}

export interface LoadResult {
  raw: autocannon.Result;
  /** Ids of the accepted events, in answer order. */
  acceptedIds: string[];
  /** Answers per status code. */
  statuses: Record<number, number>;
  /** 2xx answers per second of test duration. */
  acceptedPerSecond: number;
}

/** Runs one autocannon load and collects the accepted event ids. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const acceptedIds: string[] = [];
  const statuses: Record<number, number> = {};
  const onResponse = (status: number, body: string) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 202) acceptedIds.push((JSON.parse(body) as { eventId: string }).eventId);
  };
  const requests = (options.bodies ?? validBodies).map((body) => ({
    method: "POST" as const,
    body,
    headers: { "content-type": "application/json" },
    onResponse,
  }));
  const raw = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration ?? 10,
    amount: options.amount,
    overallRate: options.overallRate,
    requests,
  });
  return { raw, acceptedIds, statuses, acceptedPerSecond: raw["2xx"] / raw.duration };
}
