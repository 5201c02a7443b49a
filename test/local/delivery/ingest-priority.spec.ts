/**
 * The ingest-first gate (`local/delivery/ingest-priority.ts`) on a fake clock: when delivery yields to a burst, how much
 * still starts, and when it gets the event loop back.
 */
import { expect } from "chai";
import { DEFAULTS } from "../../../local/options";
import { IngestPriority, type IngestPriorityOptions } from "../../../local/delivery";

/** 1,000 requests/s over 100 ms windows: 100 requests in a window is a burst. Trickle 50/s: one every 20 ms. */
function gate(overrides: Partial<IngestPriorityOptions> = {}): IngestPriority {
  return new IngestPriority({
    rate: 1000,
    trickle: 50,
    windowMs: 100,
    backlogHigh: () => false,
    ...overrides,
  });
}

describe("local stack: delivery yields to a burst of ingest", function () {
  const cases: { name: string; arrived: [count: number, at: number][]; at: number; yielding: boolean }[] = [
    { name: "no requests", arrived: [], at: 0, yielding: false },
    { name: "below the rate in the current window", arrived: [[99, 10]], at: 50, yielding: false },
    {
      name: "the current window reaches the rate",
      arrived: [
        [60, 10],
        [40, 20],
      ],
      at: 30,
      yielding: true,
    },
    { name: "the previous full window reached the rate", arrived: [[100, 10]], at: 150, yielding: true },
    { name: "a whole quiet window after the burst", arrived: [[100, 10]], at: 250, yielding: false },
    {
      name: "a burst spread over two windows, each below",
      arrived: [
        [60, 10],
        [60, 120],
      ],
      at: 130,
      yielding: false,
    },
  ];
  for (const c of cases) {
    it(`${c.yielding ? "yields" : "does not yield"}: ${c.name}`, () => {
      const g = gate();
      for (const [count, at] of c.arrived) g.arrived(count, at);

      expect(g.yielding(c.at)).to.equal(c.yielding);
      expect(g.allowance(c.at)).to.equal(c.yielding ? 1 : Infinity);
    });
  }

  it("lets deliveries start one at a time, at the trickle rate, while it yields", () => {
    const g = gate();
    g.arrived(100, 0);

    expect(g.allowance(10)).to.equal(1);
    g.started(1);
    expect(g.allowance(10)).to.equal(0);
    expect(g.allowance(29)).to.equal(0); // a token every 20 ms at 50/s
    expect(g.allowance(30)).to.equal(1);
    g.started(1);
    expect(g.allowance(90)).to.equal(1); // 60 ms idle still allows one at a time
    expect(g.retryInMs()).to.equal(20);
  });

  it("gives the loop back to delivery once the backlog is past its high mark", () => {
    let high = false;
    const g = gate({ backlogHigh: () => high });
    g.arrived(500, 0);
    expect(g.yielding(1)).to.equal(true);

    high = true;

    expect(g.yielding(1)).to.equal(false);
    expect(g.allowance(1)).to.equal(Infinity);
  });

  describe("with the settings npm start ships (DEFAULTS.ingestPriorityRate, DEFAULTS.ingestPriorityWindowMs)", () => {
    const shipped = () =>
      gate({ rate: DEFAULTS.ingestPriorityRate, windowMs: DEFAULTS.ingestPriorityWindowMs });

    // The window starts at the gate's first look at the clock, so the bursts are tried at several phases of it.
    for (const phase of [0, 1, DEFAULTS.ingestPriorityWindowMs / 2, DEFAULTS.ingestPriorityWindowMs - 1]) {
      it(`does not yield to 1,000 requests at once, once a second (${phase} ms into a window)`, () => {
        const g = shipped();
        g.yielding(0);
        const yieldedAt: number[] = [];
        for (let second = 0; second < 10; second++) {
          const at = phase + second * 1000;
          g.arrived(1000, at);
          for (let t = at; t < at + 1000; t += 5) if (g.yielding(t)) yieldedAt.push(t);
        }

        expect(yieldedAt).to.deep.equal([]);
      });
    }

    it("yields to 3,000 requests within one window", () => {
      const g = shipped();
      const step = DEFAULTS.ingestPriorityWindowMs / 4;
      g.arrived(1000, 0);
      g.arrived(1000, step);
      expect(g.yielding(step)).to.equal(false);

      g.arrived(1000, 2 * step);

      expect(g.yielding(2 * step)).to.equal(true);
    });
  });

  it("never yields with rate 0", () => {
    const g = gate({ rate: 0 });
    g.arrived(1_000_000, 0);

    expect(g.yielding(1)).to.equal(false);
  });
});
