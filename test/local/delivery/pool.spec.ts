/**
 * The pool's pure parts: Lambda's words for each way a worker dies (`pool/crash.ts`) and the Node options a
 * worker gets (`pool/bootstrap.ts`: never ts-node's `-r`, which made every worker load TypeScript).
 */
import { resolve } from "node:path";
import { expect } from "chai";
import { deathText, timeoutText, type WorkerDeath } from "../../../local/delivery";
import { workerExecArgv } from "../../../local/delivery/pool/bootstrap";

describe("local stack: how a processor's worker died, in Lambda's words", () => {
  const cases: [WorkerDeath, string][] = [
    [
      { kind: "uncaught", error: "TypeError: x is not a function" },
      "Uncaught Exception: TypeError: x is not a function",
    ],
    [{ kind: "rejection", reason: "Error: nope" }, "Runtime.UnhandledPromiseRejection: Error: nope"],
    [{ kind: "exit", code: 2 }, "Runtime.ExitError: Runtime exited with error: exit status 2"],
    [{ kind: "exit", code: 0 }, "Runtime.ExitError: Runtime exited without providing a reason"],
    [
      { kind: "out-of-memory", memoryMb: 128 },
      "Runtime.OutOfMemory: Runtime exited with error: the processor reached its heap limit (memoryMb 128)",
    ],
    [
      { kind: "start-failed", error: 'Error: route "x" is not in m' },
      'Runtime.ExitError: the processor\'s worker failed to start: Error: route "x" is not in m',
    ],
  ];
  for (const [death, text] of cases) {
    it(`${death.kind}: ${text}`, () => {
      expect(deathText(death)).to.equal(text);
    });
  }

  it("says a timeout as Lambda does, to the hundredth of a second", () => {
    expect(timeoutText(0.3)).to.equal("Task timed out after 0.30 seconds");
    expect(timeoutText(10)).to.equal("Task timed out after 10.00 seconds");
  });
});

describe("local stack: a processor worker's Node options", () => {
  it("drops ts-node's -r in every spelling and keeps the rest", () => {
    const argv = [
      "-r",
      "ts-node/register/transpile-only",
      "--require=ts-node/register",
      "--enable-source-maps",
      "-r",
      "./x.js",
    ];

    expect(workerExecArgv(argv, undefined)).to.deep.equal(["--enable-source-maps", "-r", "./x.js"]);
  });

  it("drops the -r of the loader that announced itself (the specs' cached transpile), by its resolved path", () => {
    const loader = resolve("test/support/register.js");
    const argv = ["-r", "./test/support/register.js", `--require=${loader}`, "-r", "./x.js"];

    expect(workerExecArgv(argv, loader)).to.deep.equal(["-r", "./x.js"]);
  });
});
