/**
 * The ingest-first gate (`local/delivery/ingest-priority.ts`) on a fake monotonic clock and a fake event-loop
 * utilization: when delivery probes (the thread saturated while producers send), when it keeps yielding (the
 * probe let producers send more), when it backs off (it did not), how much still starts while it yields, when it
 * gets the thread back, and that the wall clock plays no part.
 */
import { expect } from "chai";
import { IngestPriority, type IngestPriorityOptions } from "../../../local/delivery";

/** 100 ms windows, saturated at 0.9, gain 1.5, trickle 50/s (a token every 20 ms); clock and utilization are ours. */
function gate(overrides: Partial<IngestPriorityOptions> = {}) {
  const fake = { now: 0, utilization: 1 };
  const g = new IngestPriority({
    enabled: true,
    load: 0.9,
    gain: 1.5,
    trickle: 50,
    windowMs: 100,
    backlogHigh: () => false,
    clock: () => fake.now,
    utilization: () => fake.utilization,
    ...overrides,
  });
  /** One window in which producers put `produced` events at `utilization`; returns whether the next one yields. */
  const window = (produced: number, utilization = 1) => {
    fake.utilization = utilization;
    g.arrived(produced);
    fake.now += 100;
    return g.yielding();
  };
  return { g, fake, window };
}

describe("local stack: delivery yields to producers it holds back", function () {
  it("delivers while the thread has time to spare, whatever the producers send", () => {
    const { window } = gate();

    expect([window(5000, 0.6), window(5000, 0.85), window(0, 0.3)]).to.deep.equal([false, false, false]);
  });

  it("does not yield to a thread saturated by delivery alone (a drain without producers)", () => {
    const { window } = gate();

    expect([window(0, 1), window(0, 1)]).to.deep.equal([false, false]);
  });

  it("probes when saturated with producers, and keeps yielding when they then send much more", () => {
    const { window } = gate();

    expect(window(400), "a saturated window with producers: probe").to.equal(true);
    expect(window(2000), "5× as many during the probe: they were held back").to.equal(true);
    expect(window(2100), "still saturated, still coming").to.equal(true);
    expect(window(0, 0.2), "the burst is over").to.equal(false);
  });

  it("gives the thread back after a probe that gains nothing, and waits before the next, longer each time", () => {
    const { window } = gate();
    // A paced load that saturates the thread: yielding does not make it send more.
    const yields: boolean[] = [];
    for (let i = 0; i < 20; i++) yields.push(window(100));

    // A probe at window 0; delivering for 4 windows (1–4), a probe at 5; for 8 (6–13), a probe at 14.
    const probes = yields.map((y, i) => (y ? i : -1)).filter((i) => i >= 0);
    expect(probes).to.deep.equal([0, 5, 14]);
  });

  it("does not yield within the first window, before anything was measured", () => {
    const { g, fake } = gate();
    g.arrived(10_000);
    fake.now = 99;

    expect(g.yielding()).to.equal(false);
  });

  it("lets deliveries start one at a time, at the trickle rate, while it yields", () => {
    const { g, fake, window } = gate();
    window(2000);

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

  it("gives the thread back to delivery once the backlog is past its high mark", () => {
    let high = false;
    const { g, window } = gate({ backlogHigh: () => high });
    window(2000);
    expect(g.yielding()).to.equal(true);

    high = true;

    expect(g.yielding()).to.equal(false);
    expect(g.allowance()).to.equal(Infinity);
  });

  it("never yields when turned off", () => {
    const { window } = gate({ enabled: false });

    expect(window(1_000_000)).to.equal(false);
  });

  it("counts every producer event it is told of", () => {
    const { g, window } = gate();
    window(7, 0);
    window(3, 0);

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
        gain: 0,
        trickle: 10,
        windowMs: 30,
        backlogHigh: () => false,
      });
      g.arrived(1000);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(g.yielding(), "yielding after a window with producers").to.equal(true);

      Date.now = () => realNow() - 3_600_000;
      await new Promise((resolve) => setTimeout(resolve, 40));

      expect(g.yielding()).to.equal(false);
    });
  });
});
