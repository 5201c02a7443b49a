/**
 * The ingest-first gate (`local/delivery/ingest-priority.ts`) on a fake monotonic clock, event-loop utilization
 * and backlog: when delivery probes (two windows in a row with producers and a growing backlog), when it keeps
 * yielding (producers then sent faster, or fill the thread), when it backs off (they did not), how much still
 * starts while it yields, when it gets the thread back, and that the wall clock plays no part.
 */
import { expect } from "chai";
import { IngestPriority, type IngestPriorityOptions } from "../../../local/delivery";

/** 100 ms windows, saturated at 0.9, gain 1.5, trickle 50/s (a token every 20 ms); clock, utilization, backlog fake. */
function gate(overrides: Partial<IngestPriorityOptions> = {}) {
  const fake = { now: 0, utilization: 1, backlog: 0 };
  const g = new IngestPriority({
    enabled: true,
    load: 0.9,
    gain: 1.5,
    trickle: 50,
    windowMs: 100,
    backlog: () => fake.backlog,
    backlogHigh: () => false,
    clock: () => fake.now,
    utilization: () => fake.utilization,
    ...overrides,
  });
  /**
   * One window in which producers put `perMs` events a millisecond at `utilization` and the backlog grows by
   * `grows`; returns the next window's phase.
   */
  const window = (perMs: number, utilization = 1, grows = 100) => {
    fake.utilization = utilization;
    fake.backlog += grows;
    g.arrived(perMs * 100);
    fake.now += 100;
    g.yielding();
    return g.phase;
  };
  return { g, fake, window };
}

describe("local stack: delivery yields to producers it holds back", function () {
  it("delivers while it keeps up on a thread with time to spare, however fast the producers", () => {
    const { window } = gate();

    const phases = [window(50, 0.6, 0), window(50, 0.8, 3), window(50, 0.7, 0), window(0, 1, 0)];

    expect(phases).to.deep.equal(["delivering", "delivering", "delivering", "delivering"]);
  });

  it("probes once delivery falls behind, even if the thread looks idle (a producer sharing its core)", () => {
    const { window } = gate();

    expect([window(4, 0.3), window(4, 0.3)]).to.deep.equal(["delivering", "probing"]);
  });

  it("does not yield to a thread saturated by delivery alone (a drain without producers)", () => {
    const { window } = gate();

    expect([window(0), window(0), window(0)]).to.deep.equal(["delivering", "delivering", "delivering"]);
  });

  it("does not probe on a backlog that only wobbles (in-flight deliveries, one window's growth)", () => {
    const { window } = gate();
    const phases: string[] = [];

    for (let i = 0; i < 20; i++) phases.push(window(1, 0.5, i % 2 === 0 ? 60 : -60));
    for (let i = 0; i < 20; i++) phases.push(window(1, 0.5, 15));

    expect(phases).to.not.include("probing");
  });

  it("yields to heavy producers during a drain: the thread saturated, the backlog shrinking", () => {
    const { fake, window } = gate();
    fake.backlog = 100_000;

    const phases = [window(2, 1, -500), window(2, 1, -500), window(8, 1, 0), window(8, 1, 400)];

    expect(phases).to.deep.equal(["delivering", "probing", "yielding", "yielding"]);
  });

  it("probes a drain with a trickle of producers rarely: after each probe that gains nothing, twice as late", () => {
    const { fake, window } = gate();
    fake.backlog = 100_000;
    const phases: string[] = [];

    for (let i = 0; i < 600; i++) phases.push(window(0.1, 1, -100));

    const probes = phases.map((p, i) => (p === "probing" ? i : -1)).filter((i) => i >= 0);
    // Each gap: the probe's window and a wait of 4, 8, …, then 256 windows (a minute).
    expect(probes.slice(1).map((p, i) => p - probes[i])).to.deep.equal([5, 9, 17, 33, 65, 129, 257]);
    expect(phases).to.not.include("yielding");
  });

  it("still probes a growing backlog while it waits after saturation probes", () => {
    const { fake, window } = gate();
    fake.backlog = 100_000;
    window(0.1, 1, -500);
    window(0.1, 1, -500); // a saturation probe, next
    window(0.1, 1, -500); // it gains nothing: 4 windows before the next saturation probe

    expect([window(4, 0.5), window(4, 0.5)]).to.deep.equal(["delivering", "probing"]);
  });

  it("probes after two pressed windows, and keeps yielding while producers send much faster", () => {
    const { g, window } = gate();

    expect(window(4), "one window with producers and a growing backlog").to.equal("delivering");
    expect(window(4), "two: probe").to.equal("probing");
    expect(g.yielding()).to.equal(true);
    expect(window(20), "5× the rate during the probe: they were held back").to.equal("yielding");
    expect(window(21), "still coming that fast").to.equal("yielding");
    expect(window(0, 0.2), "the burst is over").to.equal("delivering");
    expect(g.yielding()).to.equal(false);
  });

  it("keeps yielding while producers fill the thread by themselves, and stops once they neither fill it nor gain", () => {
    const { window } = gate();
    window(4);
    window(4);
    window(20);

    expect(window(5, 0.95), "saturated by ingest alone, though slower now").to.equal("yielding");
    expect(window(5, 0.5), "neither saturated nor 1.5× the rate before the probe").to.equal("delivering");
  });

  it("gives the thread back after a probe that gains nothing, and probes less often, down to one in 9 windows", () => {
    const { window } = gate();
    // A paced load beyond what the machine processes: yielding does not make it send faster.
    const phases: string[] = [];
    for (let i = 0; i < 60; i++) phases.push(window(1, 0.5));

    const probes = phases.map((p, i) => (p === "probing" ? i : -1)).filter((i) => i >= 0);
    const gaps = probes.slice(1).map((p, i) => p - probes[i]);
    expect(gaps.slice(0, 3), "waits of 2, 4, then 8 windows after each probe's own").to.deep.equal([3, 5, 9]);
    expect(new Set(gaps.slice(3)), "then 8 each time").to.deep.equal(new Set([9]));
    expect(phases).to.not.include("yielding");
  });

  it("does not yield within the first windows, before anything was measured", () => {
    const { g, fake } = gate();
    g.arrived(10_000);
    fake.now = 99;

    expect(g.yielding()).to.equal(false);
  });

  it("lets deliveries start one at a time, at the trickle rate, while it yields", () => {
    const { g, fake, window } = gate();
    window(2);
    window(2);
    expect(g.phase).to.equal("probing");

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
    window(2);
    window(2);
    expect(g.yielding()).to.equal(true);

    high = true;

    expect(g.yielding()).to.equal(false);
    expect(g.allowance()).to.equal(Infinity);
  });

  it("never yields when turned off", () => {
    const { g, window } = gate({ enabled: false });
    window(1000);
    window(1000);

    expect(g.yielding()).to.equal(false);
  });

  it("counts every producer event it is told of", () => {
    const { g } = gate();
    g.arrived(7);
    g.arrived(3);

    expect(g.arrivedTotal).to.equal(10);
  });

  describe("on the real clocks (performance.now, eventLoopUtilization)", () => {
    const realNow = Date.now;
    afterEach(() => {
      Date.now = realNow;
    });

    it("reopens after a burst although the wall clock stepped back an hour during it", async () => {
      let backlog = 0;
      const g = new IngestPriority({
        enabled: true,
        load: 0,
        gain: 0,
        trickle: 10,
        windowMs: 30,
        backlog: () => backlog,
        backlogHigh: () => false,
      });
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      // Two pressed windows (a probe), then the probe's window with producers: yielding.
      for (let i = 0; i < 3; i++) {
        g.arrived(1000);
        backlog += 1000;
        await sleep(35);
        g.yielding();
      }
      expect(g.yielding(), "yielding to the burst").to.equal(true);

      Date.now = () => realNow() - 3_600_000;
      await sleep(40);

      expect(g.yielding()).to.equal(false);
    });
  });
});
