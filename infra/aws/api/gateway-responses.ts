/**
 * API Gateway's own answers (gateway responses) in the contract's shape: a refused body, media type, size,
 * throttle or quota, and a refused caller by the `auth` mode, each `{"error", "message"}` with its status.
 * Pure data, rendered in tests with a real Velocity engine as the templates are.
 */
import { JSON_CONTENT_TYPE, RETRY_AFTER_SECONDS } from "./templates";

/** Who may call the API (the `auth` config key): the gateway responses for a refused caller depend on it. */
export type ApiAuth = "apiKey" | "iam" | "none";

/** Response types of the gateway responses defined here (API Gateway's `ResponseType` values). */
export type GatewayResponseType =
  | "BAD_REQUEST_BODY"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "REQUEST_TOO_LARGE"
  | "THROTTLED"
  | "QUOTA_EXCEEDED"
  | "MISSING_AUTHENTICATION_TOKEN"
  | "INVALID_API_KEY"
  | "ACCESS_DENIED"
  | "INVALID_SIGNATURE"
  | "EXPIRED_TOKEN"
  | "DEFAULT_4XX"
  | "DEFAULT_5XX";

/** One gateway response; maps onto `aws.apigateway.Response`. */
export interface GatewayResponseSpec {
  readonly responseType: GatewayResponseType;
  /** Absent for DEFAULT_4XX/DEFAULT_5XX so each error keeps its own status (403, 502, ...). */
  readonly statusCode?: string;
  /**
   * Not VTL: API Gateway only substitutes `$context.*`, `$stageVariables.*` and `method.request.*` values in
   * gateway response templates (OpenAPI extension docs, `x-amazon-apigateway-gateway-responses.responseTemplates`).
   */
  readonly responseTemplates: Record<string, string>;
  /** Header mappings, e.g. `gatewayresponse.header.Retry-After` → `'1'` (a quoted static value). */
  readonly responseParameters?: Record<string, string>;
}

/** `{"error": name, "message": <$context.error.messageString>}`; messageString is already a quoted JSON string. */
function errorBody(name: string): Record<string, string> {
  return { [JSON_CONTENT_TYPE]: `{"error":"${name}","message":$context.error.messageString}` };
}

/**
 * Gateway responses that put API Gateway's own errors in the contract's shape:
 * - BAD_REQUEST_BODY → 400 `BadRequestBody`, message = `$context.error.validationErrorString` (the validator's
 *   detail, e.g. `[object has missing required properties (["detail"])]`), inside a JSON string;
 * - UNSUPPORTED_MEDIA_TYPE → 415 `UnsupportedMediaType` (needs `PASSTHROUGH_BEHAVIOR`);
 * - REQUEST_TOO_LARGE → 413 `PayloadTooLarge`; THROTTLED (stage or usage plan throttle) → 429 `TooManyRequests`
 *   with `Retry-After: 1`; QUOTA_EXCEEDED (the usage plan's quota) → 429 `QuotaExceeded`, without `Retry-After`:
 *   the quota resets at the end of its period, which a static header cannot say;
 * - a refused caller → 403 `Forbidden`: INVALID_API_KEY (a missing or wrong `x-api-key`), ACCESS_DENIED,
 *   INVALID_SIGNATURE and EXPIRED_TOKEN (SigV4);
 * - MISSING_AUTHENTICATION_TOKEN is API Gateway's answer to an unknown path or method and, with `iam`, to an
 *   unsigned request: 404 `NotFound` as locally, except with `iam`, where it is 403 `Forbidden` (the two cannot
 *   be told apart, and "not found" would mislead a caller who forgot to sign);
 * - DEFAULT_4XX → `ClientError`, DEFAULT_5XX → `InternalError`, both keeping their status and adding the
 *   `type` (`$context.error.responseType`).
 */
export function gatewayResponses(auth: ApiAuth = "apiKey"): GatewayResponseSpec[] {
  const withType = (name: string): Record<string, string> => ({
    [JSON_CONTENT_TYPE]: `{"error":"${name}","message":$context.error.messageString,"type":"$context.error.responseType"}`,
  });
  return [
    {
      responseType: "BAD_REQUEST_BODY",
      statusCode: "400",
      responseTemplates: {
        [JSON_CONTENT_TYPE]: `{"error":"BadRequestBody","message":"$context.error.validationErrorString"}`,
      },
    },
    {
      responseType: "UNSUPPORTED_MEDIA_TYPE",
      statusCode: "415",
      responseTemplates: errorBody("UnsupportedMediaType"),
    },
    { responseType: "REQUEST_TOO_LARGE", statusCode: "413", responseTemplates: errorBody("PayloadTooLarge") },
    {
      responseType: "THROTTLED",
      statusCode: "429",
      responseTemplates: errorBody("TooManyRequests"),
      responseParameters: { "gatewayresponse.header.Retry-After": `'${RETRY_AFTER_SECONDS}'` },
    },
    { responseType: "QUOTA_EXCEEDED", statusCode: "429", responseTemplates: errorBody("QuotaExceeded") },
    auth === "iam"
      ? {
          responseType: "MISSING_AUTHENTICATION_TOKEN",
          statusCode: "403",
          responseTemplates: errorBody("Forbidden"),
        }
      : {
          responseType: "MISSING_AUTHENTICATION_TOKEN",
          statusCode: "404",
          responseTemplates: errorBody("NotFound"),
        },
    ...(["INVALID_API_KEY", "ACCESS_DENIED", "INVALID_SIGNATURE", "EXPIRED_TOKEN"] as const).map(
      (responseType): GatewayResponseSpec => ({
        responseType,
        statusCode: "403",
        responseTemplates: errorBody("Forbidden"),
      }),
    ),
    { responseType: "DEFAULT_4XX", responseTemplates: withType("ClientError") },
    { responseType: "DEFAULT_5XX", responseTemplates: withType("InternalError") },
  ];
}
