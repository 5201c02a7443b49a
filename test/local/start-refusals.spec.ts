/**
 * `local/main.ts` (what `npm start` runs) refuses to start, with one clear line on stderr and exit code 1, never
 * a stack trace: on a damaged database, on a database another server holds, in a folder it cannot write, and on
 * a non-loopback HOST without a token.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { TS_NODE } from "../support/node";
import { freePort, ROOT, sleep, tempDir } from "./helpers";

interface Exit {
  code: number | null;
  stderr: string;
}

/** The uid the refusal of an unwritable folder runs as: root may write anywhere. */
const NOBODY = 65534;

/** Runs `local/main.ts` with `env` (and `uid`) until it exits, or kills it after `timeoutMs`. */
function runMain(
  env: Record<string, string>,
  options: { uid?: number; timeoutMs?: number } = {},
): Promise<Exit> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...TS_NODE, "local/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "ignore", "pipe"],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/**
 * The folders above the checkout that another user cannot enter: the server run as nobody must read the project.
 * A clone made in a `mktemp -d` folder (mode 0700) is one; a plain `git clone` is not.
 */
function closedToOthers(dir: string): string[] {
  const closed: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) closed.push(d);
    if (dirname(d) === d) return closed;
  }
}

/** One line, `backbone: …`, and nothing else (no stack trace). */
function expectOneLine(exit: Exit, message: RegExp): void {
  expect(exit.code, exit.stderr).to.equal(1);
  const lines = exit.stderr.trimEnd().split("\n");
  expect(lines, exit.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^backbone: /);
  expect(lines[0]).to.match(message);
}

describe("local stack: npm start refuses to start, in one line", function () {
  this.timeout(90_000);
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.remove());

  it("on a damaged database, naming the file and how to recover", async () => {
    const db = join(temp.dir, "bus.db");
    const fd = openSync(db, "w");
    writeSync(fd, "this is no database\n".repeat(500));
    closeSync(fd);

    const exit = await runMain({ BACKBONE_DB: db, PORT: String(await freePort()) });
    expectOneLine(exit, new RegExp(`${db} is damaged .*\\.recover`));
  });

  it("on a database another server is using, naming it", async () => {
    const db = join(temp.dir, "bus.db");
    const port = await freePort();
    const first = spawn(process.execPath, [...TS_NODE, "local/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", BACKBONE_DB: db, PORT: String(port) },
      stdio: "ignore",
    });
    try {
      const deadline = Date.now() + 30_000;
      while (
        !(await fetch(`http://127.0.0.1:${port}/local/health`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) throw new Error("the first server did not start");
        await sleep(100);
      }
      const exit = await runMain({ BACKBONE_DB: db, PORT: String(await freePort()) });
      expectOneLine(exit, new RegExp(`${db} is in use by another local stack \\(pid ${first.pid}, since `));
      // The first server is untouched.
      expect((await fetch(`http://127.0.0.1:${port}/local/health`)).status).to.equal(200);
    } finally {
      first.kill("SIGKILL");
    }
  });

  it("in a folder it cannot write", async () => {
    const folder = join(temp.dir, "read-only");
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    chmodSync(temp.dir, 0o755);
    // Root writes anywhere: the server then runs as nobody, as an ordinary user would.
    const uid = process.getuid?.() === 0 ? NOBODY : undefined;
    if (uid !== undefined) {
      expect(closedToOthers(ROOT), `the checkout must be readable by uid ${NOBODY}`).to.deep.equal([]);
    }
    try {
      const exit = await runMain(
        { BACKBONE_DB: join(folder, "bus.db"), PORT: String(await freePort()), HOME: temp.dir },
        { uid },
      );
      expectOneLine(exit, new RegExp(`the folder ${folder} is not writable`));
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  it("on a port in use, naming it, and leaves the database closed (its WAL folded in)", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    const db = join(temp.dir, "bus.db");
    try {
      const exit = await runMain({ BACKBONE_DB: db, PORT: String(port) });

      expectOneLine(
        exit,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\(PORT, HOST\\)`),
      );
      expect(existsSync(db), "the database was made").to.equal(true);
      expect(existsSync(`${db}-wal`), "a WAL left behind").to.equal(false);
    } finally {
      busy.close();
    }
  });

  it("on a log level pino does not have, in one line rather than pino's stack trace", async () => {
    const exit = await runMain({ BACKBONE_DB: join(temp.dir, "bus.db"), LOG_LEVEL: "verbose" });

    expectOneLine(
      exit,
      /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got verbose/,
    );
  });

  it("on HOST=0.0.0.0 without a token, saying to set BACKBONE_TOKEN", async () => {
    const exit = await runMain({
      BACKBONE_DB: join(temp.dir, "bus.db"),
      PORT: String(await freePort()),
      HOST: "0.0.0.0",
    });
    expectOneLine(exit, /HOST=0\.0\.0\.0 .*set BACKBONE_TOKEN/);
  });
});
