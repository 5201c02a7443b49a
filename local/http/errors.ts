/**
 * The one catalogue of the local stack's HTTP errors: each has a status and a stable `error` name (the
 * deployed API's contract), and is made only through these constructors, so a name cannot drift. Messages
 * name the offending key or value.
 */

/** Stable error names, by status. */
export const ERROR_NAMES = {
  400: "BadRequestBody",
  404: "NotFound",
  409: "Conflict",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  429: "TooManyRequests",
} as const;

export type ErrorStatus = keyof typeof ERROR_NAMES;
export type ErrorName = (typeof ERROR_NAMES)[ErrorStatus];

/** Seconds a throttled client is asked to wait (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 1;

/** A client error: answered as `{"error": name, "message"}` with `status`. */
export class RequestError extends Error {
  override readonly name: ErrorName;
  constructor(
    readonly status: ErrorStatus,
    message: string,
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
export const tooManyRequests = (message: string) => new RequestError(429, message);
