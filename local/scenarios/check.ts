/**
 * Checks one HTTP answer of `POST /events` against the shared contract (team brief, "HTTP contract"), which is
 * identical on API Gateway and on the local stack. Pure functions: they return failure reasons, never throw.
 */
import type { Scenario } from "./types";

/** An HTTP answer as the runner saw it. */
export interface Answer {
  status: number;
  contentType: string;
  retryAfter: string | null;
  text: string;
}

/** The error names the contract allows, with the status each one must come with. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  BadRequestBody: 400,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  PutEventsFailed: 500,
};

/**
 * Failures of `answer` against the contract and the scenario's expectation; `eventId` when accepted.
 * `namesKeys`: whether error messages must name the offending key (`messageIncludes`). The local stack's do;
 * API Gateway's draft-04 validator words its own messages (a `oneOf` miss names no key), so a deployed API is
 * held to the status and the stable error name only.
 */
export function checkAnswer(
  scenario: Scenario,
  answer: Answer,
  namesKeys = true,
): { failures: string[]; eventId?: string } {
  const failures: string[] = [];
  const expected = scenario.expect;
  if (answer.status !== expected.status) {
    failures.push(`status ${answer.status}, expected ${expected.status} (body: ${clip(answer.text)})`);
  }
  if (expected.status < 500 && answer.status >= 500)
    failures.push("5xx for a request that must be answered 2xx/4xx");
  if (!/^application\/json\b/i.test(answer.contentType)) {
    failures.push(`content-type "${answer.contentType}", expected application/json`);
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    failures.push(`body is not JSON: ${clip(answer.text)}`);
    return { failures };
  }
  if (!isObject(body)) {
    failures.push(`body is not a JSON object: ${clip(answer.text)}`);
    return { failures };
  }
  if (answer.status >= 200 && answer.status < 300) {
    return checkAccepted(body, failures);
  }
  checkError(body, answer, failures);
  if (expected.error !== undefined && body.error !== expected.error) {
    failures.push(`error "${String(body.error)}", expected "${expected.error}"`);
  }
  const message = typeof body.message === "string" ? body.message : "";
  for (const part of namesKeys ? (expected.messageIncludes ?? []) : []) {
    if (!message.includes(part)) failures.push(`message ${JSON.stringify(message)} does not name "${part}"`);
  }
  return { failures };
}

function checkAccepted(
  body: Record<string, unknown>,
  failures: string[],
): { failures: string[]; eventId?: string } {
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "eventId") {
    failures.push(`2xx body must be exactly {"eventId"}, got keys [${keys.join(", ")}]`);
  }
  if (typeof body.eventId !== "string" || body.eventId.length === 0) {
    failures.push(`eventId is not a non-empty string: ${JSON.stringify(body.eventId)}`);
    return { failures };
  }
  return { failures, eventId: body.eventId };
}

function checkError(body: Record<string, unknown>, answer: Answer, failures: string[]): void {
  const allowed = new Set(["error", "message", "code"]);
  const extra = Object.keys(body).filter((k) => !allowed.has(k));
  if (extra.length > 0) failures.push(`error body has unexpected keys [${extra.join(", ")}]`);
  if (typeof body.error !== "string") {
    failures.push(`error body has no string "error": ${clip(answer.text)}`);
    return;
  }
  const status = ERROR_STATUS[body.error];
  if (status === undefined) failures.push(`"${body.error}" is not one of the contract's error names`);
  else if (status !== answer.status)
    failures.push(`"${body.error}" must come with ${status}, not ${answer.status}`);
  if (typeof body.message !== "string" || body.message.length === 0)
    failures.push("error body has no message");
  if (body.error === "PutEventsFailed" && typeof body.code !== "string")
    failures.push("PutEventsFailed without code");
  if (body.error !== "PutEventsFailed" && "code" in body)
    failures.push(`"code" only belongs to PutEventsFailed`);
  if (answer.status === 429 && answer.retryAfter === null) failures.push("429 without Retry-After");
}

/**
 * Where `actual` differs from the deep subset `expected`, as "path: reason" strings. Objects are compared key by
 * key (extra keys in `actual` are fine); arrays and scalars must be equal.
 */
export function subsetDiff(expected: unknown, actual: unknown, path = "$"): string[] {
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => subsetDiff(v, actual[k], `${path}.${k}`));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    }
    return expected.flatMap((v, i) => subsetDiff(v, actual[i], `${path}[${i}]`));
  }
  return expected === actual
    ? []
    : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
