/**
 * The throttle on the Store's recurring reports (a failing checkpoint fails every 200 ms): each distinct message
 * at most once a minute, on a monotonic clock.
 */
import { expect } from "chai";
import { onceAMinute } from "../../../local/store/options";

describe("local stack: the once-a-minute report throttle", () => {
  it("reports a message once a minute, and a different one at once", () => {
    let now = 0;
    const reported: string[] = [];
    const report = onceAMinute(
      (m) => reported.push(m),
      () => now,
    );

    report("disk I/O error");
    now = 200;
    report("disk I/O error");
    report("database is locked");
    now = 60_000;
    report("disk I/O error");
    now = 60_201;
    report("disk I/O error");

    expect(reported).to.deep.equal(["disk I/O error", "database is locked", "disk I/O error"]);
  });

  it("counts the minute on the monotonic clock by default, not the wall clock", () => {
    const reported: string[] = [];
    const realNow = Date.now;
    const report = onceAMinute((m) => reported.push(m));
    try {
      report("checkpoint failed");
      // The wall clock jumps an hour ahead: a throttle on Date.now would report again at once (and, stepped back
      // an hour, would stay silent for that hour).
      Date.now = () => realNow() + 3_600_000;
      report("checkpoint failed");
    } finally {
      Date.now = realNow;
    }

    expect(reported).to.deep.equal(["checkpoint failed"]);
  });
});
