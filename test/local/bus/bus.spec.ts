/**
 * The local bus's envelope: UUIDv7 event ids, AWS's `time` format, and the serialized envelope that reuses the
 * API's detail JSON, which must be byte for byte what `JSON.stringify` of the envelope gives.
 */
import { expect } from "chai";
import type { RouteRow } from "../../../infra/table";
import { awsTime, Bus, uuidv7, type BusEntry } from "../../../local/bus";
import { openStore } from "../helpers";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("local stack: event ids and envelopes", function () {
  it("makes UUIDv7 ids that carry their millisecond and sort by it", () => {
    const ms = Date.UTC(2026, 10, 28, 15, 0, 0, 123);
    const ids = [uuidv7(ms), uuidv7(ms + 1), uuidv7(ms + 1000), uuidv7()];

    for (const id of ids) expect(id).to.match(UUID_V7);
    expect(parseInt(ids[0].replace("-", "").slice(0, 12), 16)).to.equal(ms);
    expect([...ids].sort()).to.deep.equal(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(ms))).size).to.equal(1000);
  });

  const times: [iso: string, expected: string][] = [
    ["2026-11-28T15:00:00.999Z", "2026-11-28T15:00:00Z"],
    ["2026-11-28T15:00:01.000Z", "2026-11-28T15:00:01Z"],
    ["2026-11-28T15:00:00.000Z", "2026-11-28T15:00:00Z"],
    ["1999-12-31T23:59:59.500Z", "1999-12-31T23:59:59Z"],
  ];
  for (const [iso, expected] of times) {
    it(`formats ${iso} as AWS does: ${expected}`, () => {
      expect(awsTime(new Date(iso))).to.equal(expected);
    });
  }

  describe("the stored envelope", function () {
    const routes = [
      { key: "orders", pattern: { "detail-type": ["order-created"] } },
    ] as unknown as RouteRow[];
    const detail = {
      orderId: "ORD-1",
      note: 'quote " and \\ and \u2028 and é',
      amount: 1e21,
      items: [{ n: 1 }],
    };
    const cases: { name: string; entry: BusEntry }[] = [
      {
        name: "with the API's detail JSON",
        entry: {
          source: "backbone.api",
          detailType: "order-created",
          detail,
          detailJson: JSON.stringify(detail),
        },
      },
      { name: "without it", entry: { source: "backbone.api", detailType: "order-created", detail } },
      {
        name: "with resources and an odd detail-type",
        entry: {
          source: 's"rc',
          detailType: 'type "x"',
          detail,
          detailJson: JSON.stringify(detail),
          resources: ["arn:a", 'b"'],
        },
      },
      {
        name: "of a replay",
        entry: {
          source: "backbone.api",
          detailType: "order-created",
          detail,
          detailJson: JSON.stringify(detail),
          replayName: "r1",
          replayOf: "x",
        },
      },
    ];
    for (const c of cases) {
      it(`is JSON.stringify of the envelope, ${c.name}`, async () => {
        const store = openStore();
        const bus = new Bus(store, routes, {
          account: "123456789012",
          region: "ap-southeast-2",
          now: () => new Date(),
          onCommit: () => undefined,
        });
        try {
          const [id] = bus.put([c.entry]);

          const stored = store.event(id)?.envelope as string;
          const envelope = {
            version: "0",
            id,
            "detail-type": c.entry.detailType,
            source: c.entry.source,
            account: "123456789012",
            time: (JSON.parse(stored) as { time: string }).time,
            region: "ap-southeast-2",
            resources: c.entry.resources ?? [],
            detail,
            ...(c.entry.replayName ? { "replay-name": c.entry.replayName } : {}),
          };
          expect(stored).to.equal(JSON.stringify(envelope));
        } finally {
          await store.close();
        }
      });
    }
  });
});
