/**
 * The pool's pure parts: Lambda's words for each way a worker dies (`pool/crash.ts`), the Node options a
 * worker gets (`pool/bootstrap.ts`: never ts-node's `-r`, which made every worker load TypeScript), and the pack
 * a worker loads TypeBox from (`pool/pack.ts`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { Type as TB } from "@sinclair/typebox";
import { expect } from "chai";
import { deathText, timeoutText, type WorkerDeath } from "../../../local/delivery";
import { BOOTSTRAP, workerExecArgv } from "../../../local/delivery/pool/bootstrap";
import { packPackage, planPack, planPackNow, type PackRef } from "../../../local/delivery/pool/pack";
import { tempDir } from "../helpers";

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

describe("local stack: TypeBox from one file in each processor worker (pool/pack.ts)", () => {
  let temp: ReturnType<typeof tempDir>;
  let cacheDir: string;
  before(() => {
    temp = tempDir("backbone-pack-");
    cacheDir = temp.dir;
  });
  after(() => temp.remove());

  /** Runs the probe fixture in a worker started by the bootstrap processors' workers get, with `packs`. */
  const probe = (packs: PackRef[]) =>
    new Promise<{ valid: boolean; invalid: boolean; packageFiles: number; packs: number }>((done, fail) => {
      const worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { entry: resolve(__dirname, "fixtures", "pack-probe.js"), cacheDir, packs },
      });
      worker.once("message", (m) => {
        done(m);
        void worker.terminate();
      });
      worker.once("error", fail);
    });

  it("serves every entry point of the package's exports map with the package's own exports", () => {
    expect(packPackage("@sinclair/typebox", cacheDir)).to.equal("written");
    expect(packPackage("@sinclair/typebox", cacheDir)).to.equal("present");
    const { ref } = planPack("@sinclair/typebox", cacheDir)!;
    const pack = require(ref.file) as { load(entry: string): Record<string, unknown> };

    expect(Object.keys(ref.entries)).to.include.members([".", "./compiler", "./errors", "./value"]);
    for (const [entry, id] of Object.entries(ref.entries)) {
      const own = require(`@sinclair/typebox${entry.slice(1)}`) as Record<string, unknown>;
      expect(Object.keys(pack.load(id)), entry).to.deep.equal(Object.keys(own));
    }
    const { Type } = pack.load(ref.entries["."]) as unknown as typeof import("@sinclair/typebox");
    const schema = Type.Object({ id: Type.String({ minLength: 1 }), n: Type.Optional(Type.Integer()) });
    expect(JSON.stringify(schema)).to.equal(
      JSON.stringify(TB.Object({ id: TB.String({ minLength: 1 }), n: TB.Optional(TB.Integer()) })),
    );
  });

  it("packs no package that requires another one, or that cannot be found", () => {
    expect(packPackage("pino", cacheDir)).to.equal("not packable");
    expect(packPackage("no-such-package-here", cacheDir)).to.equal("not packable");
  });

  /** A package `tiny` under `temp`'s node_modules: `index.js` requires `./lib/add`, which requires `dependency`. */
  const tinyPackage = (dependency: string) => {
    const root = join(temp.dir, "node_modules", "tiny");
    mkdirSync(join(root, "lib"), { recursive: true });
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "tiny", version: "1.0.0", exports: { ".": "./index.js" } }),
    );
    writeFileSync(join(root, "index.js"), `exports.add = require("./lib/add").add;`);
    writeFileSync(
      join(root, "lib", "add.js"),
      `require(${JSON.stringify(dependency)}); exports.add = (a, b) => a + b;`,
    );
    return root;
  };

  it("names a pack by the package's files: one changed in place gets a new pack, never a stale one", () => {
    const root = tinyPackage("./sibling");
    writeFileSync(join(root, "lib", "sibling.js"), "");
    const before = planPackNow("tiny", cacheDir, [temp.dir])!;
    expect(packPackage("tiny", join(cacheDir, "tiny"), [temp.dir])).to.equal("written");
    const packed = require(planPack("tiny", join(cacheDir, "tiny"), [temp.dir])!.ref.file) as {
      load(id: string): { add(a: number, b: number): number };
    };
    expect(packed.load("index.js").add(2, 3)).to.equal(5);

    writeFileSync(join(root, "lib", "add.js"), `exports.add = (a, b) => a + b + 0;`);
    const after = planPackNow("tiny", cacheDir, [temp.dir])!;

    expect(before.ref.entries).to.deep.equal({ ".": "index.js" });
    expect(after.ref.file).to.not.equal(before.ref.file);
  });

  it("packs no package whose module requires a package, even a built-in one", () => {
    tinyPackage("node:path");
    expect(packPackage("tiny", join(cacheDir, "tiny-builtin"), [temp.dir])).to.equal("not packable");
  });

  it("in a worker, every entry point comes from the pack: one copy, no file of the package read", async () => {
    packPackage("@sinclair/typebox", cacheDir);
    const reply = await probe([planPack("@sinclair/typebox", cacheDir)!.ref]);

    expect(reply).to.deep.equal({ valid: true, invalid: false, packageFiles: 0, packs: 1 });
  });

  it("in a worker whose pack cannot be read, Node loads the whole package as usual", async () => {
    const ref = { ...planPack("@sinclair/typebox", cacheDir)!.ref, file: join(cacheDir, "missing.js") };
    const reply = await probe([ref]);

    expect(reply.valid).to.equal(true);
    expect(reply.invalid).to.equal(false);
    expect(reply.packs).to.equal(0);
    expect(reply.packageFiles).to.be.greaterThan(100);
  });
});
