/**
 * The typed producer client, exported by this package as `event-backbone/client`:
 *
 *   import { createClient } from "event-backbone/client";
 *   const client = createClient({ url: apiUrl, apiKey });
 *   await client.send("order-created", { orderId: "ORD-1", customerId: "C-1", amount: 10, items: ["pen"] });
 *
 * Types come from the routing table (`DetailType`, `DetailOf<T>`); imports no Pulumi and nothing of `local/`.
 */
export {
  createClient,
  eventsUrl,
  type BackboneClient,
  type ClientOptions,
  type Clock,
  type SendResult,
} from "./client";
export {
  BatchSendError,
  ClientError,
  DeliveryFailedError,
  EventRejectedError,
  EventValidationError,
  type BatchResult,
} from "./errors";
export { backoffMs, isRetryableStatus, RETRY_DEFAULTS, retryAfterMs, type RetryOptions } from "./retry";
export type { DetailOf, DetailType, EventInput } from "./types";
