/** EventBridge's JSON API as plain functions over an `EventBridgeContext` (no Fastify). */
export { AMZ_JSON, awsHeaders, errorAnswer, LOCAL_EMIT_AGENT, type AwsAnswer } from "./answer";
export { answerAwsCall, answerAwsText } from "./api";
export { busNamesFor, type BusNames, type EventBridgeContext } from "./context";
export { entrySize, MAX_ENTRIES, MAX_ENTRY_BYTES } from "./entries";
export type { ControlPlane } from "./context";
export {
  CAUSE_HEADER,
  EMIT_KEY_HEADER,
  causeHeaders,
  CORRELATION_HEADER,
  correlationFor,
  MetaError,
  readMeta,
  TRACEPARENT_HEADER,
  type HeaderLookup,
  type RequestMeta,
} from "./correlation";
export { decodeUtf8, isPlainObject, JsonError, MAX_JSON_DEPTH, parseJson } from "./json";
