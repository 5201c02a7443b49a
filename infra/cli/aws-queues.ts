/**
 * Dead letters on AWS. Each route has two queues: the DLQ (events EventBridge could not deliver to the
 * function, message attributes `ERROR_CODE`, `ERROR_MESSAGE`, `RETRY_ATTEMPTS`, body the event) and the failure
 * queue (events the function failed on after Lambda's async retries: a Lambda destination record, the event in
 * `requestPayload`).
 *
 * Peek: `ReceiveMessage` with a short visibility timeout (so one scan sees each message once), then
 * `ChangeMessageVisibilityBatch` to 0, so the messages are visible again at once (a `dlq redrive` right after
 * a `dlq list` finds them all).
 *
 * Redrive invokes the route's function asynchronously with the event (as EventBridge itself does) and deletes
 * the message once Lambda accepted it (202). Not `StartMessageMoveTask`: SQS limits it to queues that are
 * the dead-letter queues of other SQS queues ("Non-SQS queue sources of dead-letter queues, such as AWS Lambda
 * or Amazon SNS topics, are currently not supported", SQS API Reference, StartMessageMoveTask), and both
 * queues here are filled by EventBridge and Lambda; it also moves messages only to another queue, and
 * nothing consumes these queues but this.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { aws } from "./aws-call";
import type { RouteResources } from "./outputs";
import type { DeadLetter } from "./target";

/** Seconds a peeked message stays hidden during one scan (it is made visible again right after). */
export const PEEK_VISIBILITY_SECONDS = 30;
/** Seconds a message being redriven stays hidden: the invoke and the delete happen well within it. */
export const REDRIVE_VISIBILITY_SECONDS = 120;
/** Messages a peek shows per queue at most (the count is the queue's own). */
export const PEEK_MAX = 100;

/** One of a route's two queues. */
export interface RouteQueue {
  routeKey: string;
  kind: "dlq" | "failed";
  url: string;
  functionName: string;
}

export function queuesOf(routes: Record<string, RouteResources>, keys: readonly string[]): RouteQueue[] {
  return keys.flatMap((routeKey) => {
    const r = routes[routeKey];
    return [
      { routeKey, kind: "dlq" as const, url: r.dlqUrl, functionName: r.functionName },
      { routeKey, kind: "failed" as const, url: r.failureQueueUrl, functionName: r.functionName },
    ];
  });
}

export class Queues {
  constructor(
    private readonly sqs: SQSClient,
    private readonly lambda: LambdaClient,
    private readonly where: string,
  ) {}

  /** Messages waiting in `queue` (SQS's approximate count). */
  async count(queue: RouteQueue): Promise<number> {
    const out = await aws(`SQS in ${this.where}`, () =>
      this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      ),
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  }

  /** Up to `max` dead letters of `queue`, left in it and visible again. */
  async peek(queue: RouteQueue, max = PEEK_MAX): Promise<DeadLetter[]> {
    const messages = await this.receiveAll(queue, PEEK_VISIBILITY_SECONDS, max);
    await this.release(queue, messages);
    return messages.map((m) => deadLetter(queue, m));
  }

  /**
   * Redrives `queue`'s messages (only those whose message id is in `ids`, when given), ten at a time: each is
   * invoked, then the batch's invoked ones are deleted; the others, and any whose invoke failed, stay hidden
   * until the scan ends (so it sees each message once) and are then made visible again.
   */
  async redrive(
    queue: RouteQueue,
    ids: ReadonlySet<string> | undefined,
  ): Promise<{ redriven: string[]; failed: { id: string; error: string }[] }> {
    const seen = new Set<string>();
    const redriven: string[] = [];
    const keep: Message[] = [];
    const failed: { id: string; error: string }[] = [];
    for (;;) {
      const batch = await this.receive(queue, REDRIVE_VISIBILITY_SECONDS, 10, seen);
      if (batch.length === 0) break;
      const done: Message[] = [];
      for (const m of batch) {
        if (ids && !ids.has(m.MessageId as string)) {
          keep.push(m);
          continue;
        }
        try {
          await this.invoke(queue, m);
          done.push(m);
        } catch (err) {
          failed.push({ id: m.MessageId as string, error: (err as Error).message });
          keep.push(m);
        }
      }
      await this.delete(queue, done);
      redriven.push(...done.map((m) => m.MessageId as string));
      if (ids && [...ids].every((id) => seen.has(id))) break;
    }
    await this.release(queue, keep);
    return { redriven, failed };
  }

  /** Invokes the route's function with the message's event, asynchronously (Lambda answers 202). */
  private async invoke(queue: RouteQueue, m: Message): Promise<void> {
    const out = await aws(`Lambda in ${this.where}`, () =>
      this.lambda.send(
        new InvokeCommand({
          FunctionName: queue.functionName,
          InvocationType: "Event",
          Payload: Buffer.from(eventOf(queue, m)),
        }),
      ),
    );
    if (out.StatusCode !== 202) throw new Error(`Lambda answered ${out.StatusCode} (expected 202)`);
  }

  private async delete(queue: RouteQueue, messages: readonly Message[]): Promise<void> {
    for (const batch of chunks(messages, 10)) {
      await aws(`SQS in ${this.where}`, () =>
        this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        ),
      );
    }
  }

  /** Receives until the queue answers nothing new or `max` messages are held. */
  private async receiveAll(queue: RouteQueue, visibility: number, max: number): Promise<Message[]> {
    const seen = new Set<string>();
    const held: Message[] = [];
    while (held.length < max) {
      const batch = await this.receive(queue, visibility, Math.min(10, max - held.length), seen);
      if (batch.length === 0) break;
      held.push(...batch);
    }
    return held;
  }

  /**
   * One `ReceiveMessage`: the messages not in `seen` (added to it). Long polling (1 s) asks every SQS server,
   * so an empty answer means an empty queue, not a missed sample.
   */
  private async receive(
    queue: RouteQueue,
    visibility: number,
    max: number,
    seen: Set<string>,
  ): Promise<Message[]> {
    const out = await aws(`SQS in ${this.where}`, () =>
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: max,
          VisibilityTimeout: visibility,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["SentTimestamp"],
        }),
      ),
    );
    const fresh = (out.Messages ?? []).filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
    for (const m of fresh) seen.add(m.MessageId as string);
    return fresh;
  }

  /** Makes `messages` visible again. */
  private async release(queue: RouteQueue, messages: readonly Message[]): Promise<void> {
    for (const batch of chunks(messages, 10)) {
      await aws(`SQS in ${this.where}`, () =>
        this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: batch.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle as string,
              VisibilityTimeout: 0,
            })),
          }),
        ),
      );
    }
  }
}

/** The event to invoke the function with: the DLQ's body, or the failure record's `requestPayload`. */
function eventOf(queue: RouteQueue, m: Message): string {
  if (queue.kind === "dlq") return m.Body ?? "";
  const record = parse(m.Body);
  if (record?.requestPayload === undefined) {
    throw new Error("not a Lambda destination record (no requestPayload)");
  }
  return JSON.stringify(record.requestPayload);
}

function deadLetter(queue: RouteQueue, m: Message): DeadLetter {
  const attr = (name: string) => m.MessageAttributes?.[name]?.StringValue;
  const sent = m.Attributes?.SentTimestamp;
  const base = {
    id: m.MessageId as string,
    routeKey: queue.routeKey,
    queue: queue.kind,
    ...(sent ? { deadLetteredAt: new Date(Number(sent)).toISOString() } : {}),
  };
  const body = parse(m.Body);
  if (queue.kind === "dlq") {
    const retries = attr("RETRY_ATTEMPTS");
    const code = attr("ERROR_CODE");
    return {
      ...base,
      ...(typeof body?.id === "string" ? { eventId: body.id } : {}),
      ...(retries !== undefined ? { attempts: Number(retries) + 1 } : {}),
      ...(code ? { error: `${code}: ${attr("ERROR_MESSAGE") ?? ""}`.trim() } : {}),
    };
  }
  const context = body?.requestContext as { approximateInvokeCount?: number; condition?: string } | undefined;
  const response = body?.responsePayload as { errorType?: string; errorMessage?: string } | undefined;
  const payload = body?.requestPayload as { id?: unknown } | undefined;
  const error = response?.errorMessage
    ? `${response.errorType ?? "Error"}: ${response.errorMessage}`
    : context?.condition;
  return {
    ...base,
    ...(typeof payload?.id === "string" ? { eventId: payload.id } : {}),
    ...(context?.approximateInvokeCount !== undefined ? { attempts: context.approximateInvokeCount } : {}),
    ...(error ? { error } : {}),
    ...(typeof body?.timestamp === "string" ? { deadLetteredAt: body.timestamp } : {}),
  };
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text ?? "");
    return typeof v === "object" && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
