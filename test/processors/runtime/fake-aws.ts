/**
 * A tiny fake of the two AWS JSON-protocol APIs the Lambda adapter uses, on `node:http`: DynamoDB
 * `GetItem`/`PutItem` (`X-Amz-Target: DynamoDB_20120810.*`) and EventBridge `PutEvents`
 * (`X-Amz-Target: AWSEvents.PutEvents`). The real SDK v3 clients talk to it through `AWS_ENDPOINT_URL`.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

type AttributeValue = { S?: string; N?: string };
export type DynamoItem = Record<string, AttributeValue>;

export interface PutEventsEntry {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  Detail: string;
}

export interface FakeAws {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Items by table, then by `id`. */
  tables: Record<string, Record<string, DynamoItem>>;
  /** Every PutEvents call's entries, in order. */
  putEvents: PutEventsEntry[][];
  /** Every request's `X-Amz-Target`, in order. */
  calls: string[];
  /** When set, PutEvents rejects every entry with this error code. */
  failPutEventsWith?: string;
  /** When true, GetItem pretends every item is absent (simulates a concurrent first delivery). */
  hideItems?: boolean;
  close(): Promise<void>;
}

export async function startFakeAws(): Promise<FakeAws> {
  const fake: Omit<FakeAws, "url" | "close"> = { tables: {}, putEvents: [], calls: [] };
  let eventSeq = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      fake.calls.push(target);
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      const reply = (status: number, body: unknown, contentType: string) => {
        res.writeHead(status, { "content-type": contentType });
        res.end(JSON.stringify(body));
      };
      const dynamo = (status: number, body: unknown) => reply(status, body, "application/x-amz-json-1.0");
      const events = (status: number, body: unknown) => reply(status, body, "application/x-amz-json-1.1");

      switch (target) {
        case "DynamoDB_20120810.GetItem": {
          const item = fake.tables[input.TableName]?.[input.Key.id.S];
          return dynamo(200, item && !fake.hideItems ? { Item: item } : {});
        }
        case "DynamoDB_20120810.PutItem": {
          const table = (fake.tables[input.TableName] ??= {});
          const id = input.Item.id.S as string;
          if (input.ConditionExpression === "attribute_not_exists(id)" && table[id]) {
            return dynamo(400, {
              __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
              message: "The conditional request failed",
            });
          }
          table[id] = input.Item;
          return dynamo(200, {});
        }
        case "AWSEvents.PutEvents": {
          const entries = input.Entries as PutEventsEntry[];
          if (fake.failPutEventsWith) {
            return events(200, {
              FailedEntryCount: entries.length,
              Entries: entries.map(() => ({
                ErrorCode: fake.failPutEventsWith,
                ErrorMessage: "injected failure",
              })),
            });
          }
          fake.putEvents.push(entries);
          return events(200, {
            FailedEntryCount: 0,
            Entries: entries.map(() => ({ EventId: `fake-${++eventSeq}` })),
          });
        }
        default:
          return reply(
            400,
            { __type: "UnknownOperationException", message: `fake AWS: ${target}` },
            "application/json",
          );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The SDK keeps connections alive; close them or `close` waits for their idle timeout.
        server.closeAllConnections();
      }),
  });
}
