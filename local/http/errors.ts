/**
 * The one catalogue of the local stack's HTTP errors: each has a status and a stable `error` name (the
 * deployed API's contract), and is made only through these constructors, so a name cannot drift. Messages
 * name the offending key or value.
 */

/** Stable error names, by status. */
export const ERROR_NAMES = {
  400: "BadRequestBody",
  403: "Forbidden",
  404: "NotFound",
  408: "RequestTimeout",
  409: "Conflict",
  413: "PayloadTooLarge",
  414: "URITooLong",
  415: "UnsupportedMediaType",
  429: "TooManyRequests",
  431: "HeadersTooLarge",
  503: "ServiceUnavailable",
} as const;

/** The `error` of a genuine server fault (500): the one answer that is not a `RequestError`. */
export const INTERNAL_ERROR = "InternalError";

export type ErrorStatus = keyof typeof ERROR_NAMES;
export type ErrorName = (typeof ERROR_NAMES)[ErrorStatus];

/** Seconds a throttled client is asked to wait (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 1;

/** A client error, or a temporary refusal (503): answered as `{"error": name, "message"}` with `status`. */
export class RequestError extends Error {
  override readonly name: ErrorName;
  constructor(
    readonly status: ErrorStatus,
    message: string,
    /** Sent as `Retry-After` (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = ERROR_NAMES[status];
  }
}

/** Invalid JSON, a body that breaks the contract, a bad query or parameter. */
export const badRequest = (message: string) => new RequestError(400, message);
/** An unknown path or resource. */
export const notFound = (message: string) => new RequestError(404, message);
/** The request clashes with what exists (a replay of that name). */
export const conflict = (message: string) => new RequestError(409, message);
/** Over a size limit. */
export const payloadTooLarge = (message: string) => new RequestError(413, message);
/** Not a JSON media type. */
export const unsupportedMediaType = (message = "Content-Type must be application/json") =>
  new RequestError(415, message);
/** The backlog is full: answered with `Retry-After`. */
export const tooManyRequests = (message: string) => new RequestError(429, message, RETRY_AFTER_SECONDS);
/** Not this server's host or page, or without its token. */
export const forbidden = (message: string) => new RequestError(403, message);
/** The request did not arrive in time (answered by the server before any route). */
export const requestTimeout = (message: string) => new RequestError(408, message);
/** The request line is too long. */
export const uriTooLong = (message: string) => new RequestError(414, message);
/** The request headers are too large. */
export const headersTooLarge = (message: string) => new RequestError(431, message);
/** The database cannot write now (disk full, file gone): answered with `Retry-After`. */
export const serviceUnavailable = (message: string, retryAfterSeconds: number) =>
  new RequestError(503, message, retryAfterSeconds);
