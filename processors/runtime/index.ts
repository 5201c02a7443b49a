/**
 * The processor contract and the runtime both engines share. Processor files, the routing table, the Pulumi
 * components and the local stack import from here; this folder imports nothing else of the project.
 *
 * Files inside this folder import each other directly, never through this face: the Lambda adapter's closure
 * is serialized by Pulumi, and a re-export's getter is not a plain value it can carry.
 */
export {
  defineProcessor,
  type BackboneEvent,
  type Envelope,
  type LogFields,
  type Logger,
  type Processor,
  type ProcessorContext,
} from "./contract";
export { API_SOURCE, processorSource, SOURCE_PREFIX } from "./sources";
export { capJson, MAX_RESULT_BYTES } from "./results";
export {
  describeError,
  idempotencyKey,
  memoryPublisher,
  memoryStore,
  runProcessor,
  type EmitEntry,
  type Handle,
  type IdempotencyStore,
  type Publisher,
  type RejectedResult,
  type RuntimePorts,
} from "./run";
export {
  compileDetailCheck,
  decodePointer,
  detailCheck,
  detailCheckCode,
  type DetailCheck,
} from "./detail-check";
export {
  eventBridgePublisher,
  PUT_EVENTS_BATCH,
  putEventsPublisher,
  type PutEventsAnswer,
  type PutEventsCall,
  type PutEventsFailure,
  type PutEventsRequestEntry,
} from "./emit";
export { dynamoStore, jsonLogger, lambdaHandler } from "./lambda";
