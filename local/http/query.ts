/** Query and body helpers of the ops endpoints: cursors, page sizes, route-key filters. */
import { badRequest } from "./errors";

/** A `cursor` query: the `nextCursor` of the previous page. */
export function cursor(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^[1-9]\d{0,15}$/.test(raw))
    throw badRequest("query cursor must be the nextCursor of a previous page");
  return Number(raw);
}

/** A `limit` query: a whole number from 1 to `max` (a 400 otherwise, never quietly changed), or `fallback`. */
export function limit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) {
    throw badRequest(`query limit must be a whole number from 1 to ${max}; got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A route key given as a filter: one of the table's, or a 400 naming the known ones. */
export function routeKey(
  ctx: { routes: readonly { key: string }[] },
  raw: string | undefined,
  key = "query route",
): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!ctx.routes.some((r) => r.key === raw)) {
    throw badRequest(
      `${key} must be one of ${ctx.routes.map((r) => r.key).join(", ")}; got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/**
 * Refuses a body key the endpoint does not read, naming it and the ones it does: a misspelt filter (`rout`) must
 * not widen a redrive or a replay to everything.
 */
export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`body.${unknown[0]} is not allowed; the body takes ${allowed.join(", ")}`);
  }
}
