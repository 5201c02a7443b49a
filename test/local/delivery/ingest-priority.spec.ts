/**
 * The ingest-first gate (`local/delivery/ingest-priority.ts`) on a fake monotonic clock and a fake event-loop
 * utilization: when delivery yields (the loop saturated while the backlog grows), how much still starts, when
 * it gets the loop back, and that the wall clock plays no part.
 */
import { expect } from "chai";
import { IngestPriority, type IngestPriorityOptions } from "../../../local/delivery";

/** 100 ms windows, saturated at 0.9, trickle 50/s (a token every 20 ms); the clock and utilization are ours. */
function gate(overrides: Partial<IngestPriorityOptions> = {}) {
  const fake = { now: 0, utilization: 1 };
  const g = new IngestPriority({
    enabled: true,
    load: 0.9,
    trickle: 50,
    windowMs: 100,
    backlogHigh: () => false,
    clock: () => fake.now,
    utilization: () => fake.utilization,
    ...overrides,
  });
  /** One window in which producers put `produced` events and `delivered` deliveries started, then its end. */
  const window = (produced: number, delivered: number, utilization: number) => {
    fake.utilization = utilization;
    g.arrived(produced);
    g.started(delivered);
    fake.now += 100;
  };
  return { g, fake, window };
}

describe("local stack: delivery yields to producers who saturate it", function () {
  const cases: {
    name: string;
    produced: number;
    delivered: number;
    utilization: number;
    yielding: boolean;
  }[] = [
    {
      name: "no producers, the loop busy draining",
      produced: 0,
      delivered: 500,
      utilization: 1,
      yielding: false,
    },
    {
      name: "producers, the loop saturated, the backlog growing",
      produced: 2000,
      delivered: 300,
      utilization: 0.97,
      yielding: true,
    },
    {
      name: "producers, the loop saturated, delivery keeping up (a steady rate this machine can carry)",
      produced: 100,
      delivered: 157,
      utilization: 0.95,
      yielding: false,
    },
    {
      name: "producers faster than delivery, but the loop has time to spare",
      produced: 300,
      delivered: 100,
      utilization: 0.6,
      yielding: false,
    },
  ];
  for (const c of cases) {
    it(`${c.yielding ? "yields" : "does not yield"} the next window after one with ${c.name}`, () => {
      const { g, window } = gate();

      window(c.produced, c.delivered, c.utilization);

      expect(g.yielding()).to.equal(c.yielding);
      expect(g.allowance()).to.equal(c.yielding ? 1 : Infinity);
    });
  }

  it("does not yield within the first window, before anything was measured", () => {
    const { g, fake } = gate();
    g.arrived(10_000);
    fake.now = 99;

    expect(g.yielding()).to.equal(false);
  });

  it("lets deliveries start one at a time, at the trickle rate, while it yields", () => {
    const { g, fake, window } = gate();
    window(2000, 0, 1);

    expect(g.allowance()).to.equal(1);
    g.started(1);
    expect(g.allowance()).to.equal(0);
    fake.now += 19;
    expect(g.allowance()).to.equal(0); // a token every 20 ms at 50/s
    fake.now += 1;
    expect(g.allowance()).to.equal(1);
    g.started(1);
    fake.now += 60;
    expect(g.allowance()).to.equal(1); // 60 ms idle still allows one at a time
    expect(g.retryInMs()).to.equal(20);
  });

  it("keeps yielding while the burst lasts and gives the loop back one window after it ends", () => {
    const { g, window } = gate();
    window(2000, 0, 1);
    expect(g.yielding()).to.equal(true);
    window(2000, 2, 1); // yielding: only the trickle started
    expect(g.yielding()).to.equal(true);

    window(0, 1, 0.3); // the burst is over

    expect(g.yielding()).to.equal(false);
  });

  it("gives the loop back to delivery once the backlog is past its high mark", () => {
    let high = false;
    const { g, window } = gate({ backlogHigh: () => high });
    window(2000, 0, 1);
    expect(g.yielding()).to.equal(true);

    high = true;

    expect(g.yielding()).to.equal(false);
    expect(g.allowance()).to.equal(Infinity);
  });

  it("never yields when turned off", () => {
    const { g, window } = gate({ enabled: false });
    window(1_000_000, 0, 1);

    expect(g.yielding()).to.equal(false);
  });

  it("counts every producer event it is told of", () => {
    const { g, window } = gate();
    window(7, 0, 0);
    window(3, 0, 0);

    expect(g.arrivedTotal).to.equal(10);
  });

  describe("on the real clocks (performance.now, eventLoopUtilization)", () => {
    const realNow = Date.now;
    afterEach(() => {
      Date.now = realNow;
    });

    it("reopens one window after a burst although the wall clock stepped back an hour during it", async () => {
      const g = new IngestPriority({
        enabled: true,
        load: 0,
        trickle: 10,
        windowMs: 30,
        backlogHigh: () => false,
      });
      g.arrived(1000);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(g.yielding(), "yielding after a window with a growing backlog").to.equal(true);

      Date.now = () => realNow() - 3_600_000;
      await new Promise((resolve) => setTimeout(resolve, 40));

      expect(g.yielding()).to.equal(false);
    });
  });
});
