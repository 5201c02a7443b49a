/**
 * The producer client's errors: one class per way a send can fail, each with a stable `name`, so callers can
 * branch with `instanceof` or on `name`.
 */

/** Base class of every error the client throws. */
export abstract class ClientError extends Error {}

/** The event broke its schema (or named an unknown detail-type): nothing was sent. */
export class EventValidationError extends ClientError {
  override readonly name = "EventValidationError";
  constructor(
    readonly detailType: string,
    /** What is wrong, naming each key (`detail.amount must be number`). */
    readonly problems: readonly string[],
    /** Position in the batch, for `sendBatch`. */
    readonly index?: number,
  ) {
    super(`${index === undefined ? "" : `event #${index} `}${detailType}: ${problems.join("; ")}`);
  }
}

/** The API answered a 4xx other than 429: the request is wrong and sending it again cannot help. */
export class EventRejectedError extends ClientError {
  override readonly name = "EventRejectedError";
  constructor(
    readonly status: number,
    /** The contract's error name (`BadRequestBody`, `PayloadTooLarge`, ...), or `HTTP <status>`. */
    readonly error: string,
    message: string,
  ) {
    super(`${status} ${error}: ${message}`);
  }
}

/** Every attempt was throttled (429), failed (5xx) or did not reach the API, until a retry limit. */
export class DeliveryFailedError extends ClientError {
  override readonly name = "DeliveryFailedError";
  constructor(
    /** How many requests were made. */
    readonly attempts: number,
    /** Which limit stopped the retries. */
    readonly limit: "attempts" | "time",
    /** The last answer's status, or `undefined` when the last attempt got no answer (network, timeout). */
    readonly lastStatus: number | undefined,
    /** The last answer's error name, or the network error's message. */
    readonly lastError: string,
  ) {
    super(
      `gave up after ${attempts} attempt${attempts === 1 ? "" : "s"} (${limit === "attempts" ? "attempt limit" : "time limit"}): ` +
        `${lastStatus === undefined ? "no answer" : `last answer ${lastStatus}`} ${lastError}`,
    );
  }
}

/** Some events of a batch were not accepted; `results` says which (in input order). */
export class BatchSendError extends ClientError {
  override readonly name = "BatchSendError";
  constructor(readonly results: readonly BatchResult[]) {
    const failed = results.filter((r) => "error" in r).length;
    super(`${failed} of ${results.length} events were not accepted`);
  }
}

/** The outcome of one event of a batch. */
export type BatchResult =
  | { readonly detailType: string; readonly eventId: string; readonly attempts: number }
  | { readonly detailType: string; readonly error: EventRejectedError | DeliveryFailedError };
