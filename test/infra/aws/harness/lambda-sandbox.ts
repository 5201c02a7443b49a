/**
 * Runs a Lambda archive the way the `nodejs22.x` runtime would: unpacked into its own folder, loaded by a
 * separate Node process that can resolve nothing but that folder and the AWS SDK v3 (which the runtime ships),
 * with the handler's env and the SDK pointed at a fake AWS endpoint.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..", "..");

/** What one invocation produced. */
export interface Invocation {
  exitCode: number | null;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
  /** stdout lines other than the harness's own (the handler's logs). */
  logLines: string[];
  stderr: string;
}

/** A temporary "Lambda runtime": one folder per unpacked archive plus the SDK folder on NODE_PATH. */
export class LambdaSandbox {
  readonly root = mkdtempSync(join(tmpdir(), "backbone-lambda-"));
  /** NODE_PATH folder: `@aws-sdk` only, as the runtime provides it. */
  readonly sdkPath = join(this.root, "runtime", "node_modules");
  private readonly invoker = join(this.root, "runtime", "invoke.js");
  private readonly clock = join(this.root, "runtime", "pin-clock.js");

  constructor() {
    mkdirSync(this.sdkPath, { recursive: true });
    symlinkSync(join(ROOT, "node_modules", "@aws-sdk"), join(this.sdkPath, "@aws-sdk"), "dir");
    writeFileSync(this.invoker, INVOKER);
    writeFileSync(this.clock, PIN_CLOCK);
  }

  /** Writes every file of the archive under `<root>/<name>/`, as the zip would unpack; returns the folder. */
  unpack(name: string, files: Record<string, string>): string {
    const dir = join(this.root, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  /**
   * Calls `<dir>/<module>.<export>(event, context)` in a fresh Node process with only `env` (plus PATH, HOME and
   * NODE_PATH). `nowMs` pins the clock so results can be compared with an in-process run.
   */
  invoke(
    dir: string,
    handler: string,
    event: unknown,
    env: Record<string, string>,
    nowMs: number,
  ): Promise<Invocation> {
    const [module, exportName] = handler.split(".");
    const childEnv = {
      PATH: process.env.PATH ?? "",
      HOME: this.root,
      NODE_PATH: this.sdkPath,
      PINNED_NOW_MS: String(nowMs),
      LAMBDA_EVENT: JSON.stringify(event),
      ...env,
    };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--require", this.clock, this.invoker, join(dir, module), exportName],
        { cwd: dir, env: childEnv, timeout: 30_000 },
        (err, stdout, stderr) => {
          const lines = stdout.split("\n").filter((l) => l !== "");
          const tagged = (tag: string) => lines.find((l) => l.startsWith(tag))?.slice(tag.length);
          const result = tagged("@@RESULT ");
          const error = tagged("@@ERROR ");
          resolve({
            exitCode: err ? (typeof err.code === "number" ? err.code : 1) : 0,
            result: result === undefined ? undefined : JSON.parse(result),
            error: error === undefined ? undefined : JSON.parse(error),
            logLines: lines.filter((l) => !l.startsWith("@@")),
            stderr,
          });
        },
      );
    });
  }

  /** Whether `specifier` resolves from an unpacked folder the way the handler would resolve it. */
  resolves(dir: string, specifier: string): Promise<boolean> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["-e", `require.resolve(${JSON.stringify(specifier)}, { paths: [process.cwd()] })`],
        { cwd: dir, env: { PATH: process.env.PATH ?? "", NODE_PATH: this.sdkPath } },
        (err) => resolve(!err),
      );
    });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Loads the handler by absolute path and prints its outcome on a tagged line. */
const INVOKER = `"use strict";
const [file, exportName] = process.argv.slice(2);
const handler = require(file)[exportName];
const event = JSON.parse(process.env.LAMBDA_EVENT);
const context = { awsRequestId: "sandbox-request", functionName: process.env.AWS_LAMBDA_FUNCTION_NAME };
Promise.resolve()
  .then(() => handler(event, context))
  .then(
    (result) => process.stdout.write("@@RESULT " + JSON.stringify(result === undefined ? null : result) + "\\n"),
    (err) => {
      process.stdout.write("@@ERROR " + JSON.stringify({ name: err && err.name, message: String(err && err.message), stack: err && err.stack }) + "\\n");
      process.exitCode = 1;
    },
  );
`;

/** Pins \`Date.now()\` and \`new Date()\` to PINNED_NOW_MS so results are deterministic. */
const PIN_CLOCK = `"use strict";
const fixed = Number(process.env.PINNED_NOW_MS);
const RealDate = Date;
class PinnedDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(fixed); else super(...args); }
  static now() { return fixed; }
}
globalThis.Date = PinnedDate;
`;
