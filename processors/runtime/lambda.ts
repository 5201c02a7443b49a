/**
 * The Lambda adapter: turns a processor's `handle` into the function Pulumi serializes into a
 * `aws.lambda.CallbackFunction`.
 *
 * Serialization rules this file obeys (a violation serializes fine and then fails when the Lambda runs):
 * - The returned closure captures only strings, plain functions and one plain object; no Map, Symbol,
 *   #private field, class instance or TypeBox schema (hence `handle`, not the processor object).
 * - The AWS SDK v3 is `require`d inside functions, at run time: the `nodejs22.x` runtime ships it, so the
 *   archive needs no node_modules, and processors that never emit never load it.
 *
 * Environment:
 * - `EVENT_BUS_NAME`: the bus emits go to. Required only when the processor emits.
 * - `IDEMPOTENCY_TABLE`: DynamoDB table (partition key `id`, string; TTL attribute `expiresAt`). When unset,
 *   idempotency is off: every delivery is processed, and one warning per container says so.
 * - `IDEMPOTENCY_TTL_SECONDS`: how long results are kept (default 7 days: longer than EventBridge's 24 h
 *   maximum event age, so every retry of a delivery finds the first result).
 * - `_X_AMZN_TRACE_ID`: set by the Lambda runtime for each invocation when tracing is on; passed to PutEvents as
 *   each follow-up's `TraceHeader`, so one X-Ray trace runs API → bus → processor → follow-up → processor.
 * - `AWS_ENDPOINT_URL` etc. are honoured by the SDK itself (used by the tests and the local stack).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { compileDetailCheck, type DetailCheck } from "./detail-check";
import { eventBridgePublisher } from "./emit";
import { capJson, MAX_RESULT_BYTES } from "./results";
import { runProcessor, type Handle, type IdempotencyStore, type Publisher } from "./run";
import type { BackboneEvent, LogFields, Logger } from "./contract";

/** Per-container state, reused across warm invocations. A plain object, so Pulumi can serialize it. */
interface ContainerState {
  eventBridge?: EventBridgeClient;
  dynamo?: DynamoDBClient;
  warnedNoTable?: boolean;
  /** The detail check, compiled from its code on the first invocation. */
  checkDetail?: DetailCheck;
}

/** Default result retention in the idempotency table. */
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Builds the Lambda handler for one route: `async (event) => result`. The function throws when the processor
 * or the publish fails, so Lambda's async retries and on-failure destination take over.
 *
 * `detailCheckCode` is the processor schema's validator as code (`detailCheckCode` of `detail-check.ts`, run at
 * Pulumi program time): only this string is captured, and it is compiled at cold start. An invalid detail is
 * then rejected (a stored `{rejected, reason}` result) instead of failing the processor. Without it, no check.
 * `emits`: the processor's declared emits (`Processor.emits`, a plain array of strings); when given, an
 * undeclared emit fails the invocation (see `RuntimePorts.emits`).
 */
export function lambdaHandler(
  handle: Handle,
  name: string,
  routeKey: string,
  detailCheckCode?: string,
  emits?: readonly string[],
): (event: BackboneEvent) => Promise<unknown> {
  const state: ContainerState = {};
  return async (event: BackboneEvent) => {
    const env = process.env;
    const bindings = { eventId: event.id, routeKey };
    if (detailCheckCode !== undefined && !state.checkDetail) {
      state.checkDetail = compileDetailCheck(detailCheckCode);
    }
    return runProcessor(handle, name, routeKey, event, {
      checkDetail: state.checkDetail,
      emits,
      logger: (b: LogFields) => jsonLogger(b),
      store: lambdaStore(state, env.IDEMPOTENCY_TABLE, Number(env.IDEMPOTENCY_TTL_SECONDS) || 0, bindings),
      publisher: lambdaPublisher(state, env.EVENT_BUS_NAME),
    });
  };
}

/** One JSON object per line on stdout: `{level, msg, time, ...bindings, ...fields}`. */
export function jsonLogger(bindings: LogFields, write?: (line: string) => void): Logger {
  const out = write ?? ((line: string) => void process.stdout.write(line + "\n"));
  const line = (level: string) => (msg: string, fields?: LogFields) =>
    out(JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields, ...bindings }));
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

function lambdaStore(
  state: ContainerState,
  table: string | undefined,
  ttlSeconds: number,
  bindings: LogFields,
): IdempotencyStore {
  if (!table) {
    if (!state.warnedNoTable) {
      state.warnedNoTable = true;
      jsonLogger(bindings).warn("IDEMPOTENCY_TABLE is not set: idempotency is off in this container");
    }
    return { get: async () => undefined, put: async () => undefined };
  }
  if (!state.dynamo) {
    const { DynamoDBClient } =
      require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
    state.dynamo = new DynamoDBClient({});
  }
  // A missing, malformed or non-positive value would silently disable idempotency: use the default.
  return dynamoStore(state.dynamo, table, ttlSeconds > 0 ? ttlSeconds : DEFAULT_TTL_SECONDS);
}

function lambdaPublisher(state: ContainerState, busName: string | undefined): Publisher {
  return {
    async publish(entries) {
      if (!busName) throw new Error("EVENT_BUS_NAME is not set: cannot emit follow-up events");
      if (!state.eventBridge) {
        const { EventBridgeClient } =
          require("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
        state.eventBridge = new EventBridgeClient({});
      }
      // Read at publish time: the runtime sets it anew for every invocation.
      await eventBridgePublisher(state.eventBridge, busName, process.env._X_AMZN_TRACE_ID).publish(entries);
    },
  };
}

/**
 * DynamoDB idempotency store: item `{id: S, result: S (JSON), expiresAt: N (epoch seconds)}`. Reads are
 * consistent; the write is conditional on the id being new, so the first successful result wins.
 */
export function dynamoStore(client: DynamoDBClient, table: string, ttlSeconds: number): IdempotencyStore {
  return {
    async get(key) {
      const { GetItemCommand } =
        require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
      const out = await client.send(
        new GetItemCommand({ TableName: table, Key: { id: { S: key } }, ConsistentRead: true }),
      );
      const stored = out.Item?.result?.S;
      // DynamoDB deletes expired items lazily, so an expired item may still be returned.
      const expiresAt = Number(out.Item?.expiresAt?.N ?? Infinity);
      if (stored === undefined || expiresAt * 1000 < Date.now()) return undefined;
      return JSON.parse(stored) as { result: unknown };
    },
    async put(key, result) {
      const { PutItemCommand } =
        require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
      const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
      try {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              id: { S: key },
              // Cut as the local stack cuts it: DynamoDB refuses an item over 400 KB, after `handle` ran.
              result: { S: storedResult(result) },
              expiresAt: { N: String(expiresAt) },
            },
            ConditionExpression: "attribute_not_exists(id)",
          }),
        );
      } catch (err) {
        // A concurrent delivery of the same event stored its result first: keep that one.
        if ((err as { name?: string }).name !== "ConditionalCheckFailedException") throw err;
      }
    },
  };
}

/** The idempotency item's `result`: `{"result": …}`, the result cut to `MAX_RESULT_BYTES` (`{}` for none). */
function storedResult(result: unknown): string {
  const json = JSON.stringify(result);
  return json === undefined ? "{}" : `{"result":${capJson(json, MAX_RESULT_BYTES)}}`;
}
