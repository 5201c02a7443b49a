/**
 * Durability: `local/main.ts` (what `npm start` runs) is killed with SIGKILL in the middle of a stream of
 * events; after a restart on the same database every event that got a 202 is processed. None is lost.
 * Processors run in their workers (the default): the kill takes them down with the process. Also its shutdown:
 * SIGTERM closes cleanly; a second signal exits at once.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { Probe } from "../bench/lib/probe";
import { TS_NODE } from "../support/node";
import { fixture, freePort, request, ROOT, sleep, tempDir, until, waitFor } from "./helpers";

interface Child {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<void>;
}

/** Starts `local/main.ts` on `port` with the database `db`; resolves once it answers /local/health. */
async function startMain(db: string, port: number): Promise<Child> {
  const proc = spawn(process.execPath, [...TS_NODE, "local/main.ts", "--port", String(port)], {
    cwd: ROOT,
    // One processor at a time, so a backlog builds up and the kill interrupts deliveries, not only ingest.
    env: {
      ...process.env,
      BACKBONE_DB: db,
      LOG_LEVEL: "warn",
      BACKBONE_CONCURRENCY: "1",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`local/main.ts exited with ${proc.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/local/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`local/main.ts did not start: ${stderr}`);
    await sleep(100);
  }
  return { proc, url, stderr: () => stderr, exited };
}

/**
 * Opens a `POST /events` whose body never arrives. Once the server has answered `100 Continue` the request is
 * in progress, so closing the server waits for it: a shutdown cannot finish while the socket stays open.
 */
async function holdRequest(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on("error", () => undefined); // reset when the process exits
  await once(socket, "connect");
  let seen = "";
  const continued = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("100 Continue")) resolve();
    });
    socket.once("close", () => reject(new Error(`connection closed before 100 Continue: ${seen}`)));
  });
  socket.write(
    [
      "POST /events HTTP/1.1",
      `Host: ${hostname}:${port}`,
      "Content-Type: application/json",
      "Content-Length: 1000",
      "Expect: 100-continue",
      "",
      "",
    ].join("\r\n"),
  );
  await continued;
  socket.write("{");
  return socket;
}

/** The stream: orders (which emit notifications), tickets of every priority and registrations. */
function eventNumber(n: number): { "detail-type": string; detail: Record<string, unknown> } {
  switch (n % 3) {
    case 0:
      return {
        "detail-type": "order-created",
        detail: { ...fixture("order-created.seed").detail, orderId: `CRASH-${n}` },
      };
    case 1: {
      const priority = ["low", "medium", "high", "urgent"][n % 4];
      return {
        "detail-type": "support-ticket",
        detail: { ...fixture("support-ticket.seed").detail, ticketId: `CRASH-${n}`, priority },
      };
    }
    default:
      return {
        "detail-type": "user-registered",
        detail: { ...fixture("user-registered").detail, userId: `CRASH-${n}` },
      };
  }
}

describeCrash();

function describeCrash(): void {
  describe("local stack: crash safety", function () {
    this.timeout(120_000);
    const temp = tempDir();
    const db = join(temp.dir, "backbone.db");
    let child: Child | undefined;
    after(async () => {
      if (child && child.proc.exitCode === null && child.proc.signalCode === null) {
        child.proc.kill("SIGTERM");
        await child.exited;
      }
      temp.remove();
    });

    it("processes every event that got a 202 after a SIGKILL mid-stream and a restart", async () => {
      child = await startMain(db, await freePort());
      const health = await request(`${child.url}/local/health`);
      expect(health.body.isolation, "where npm start runs processors").to.equal("workers");
      const acked: string[] = [];
      let sent = 0;
      let killed = false;
      const sender = async () => {
        while (!killed) {
          const body = JSON.stringify(eventNumber(sent++));
          try {
            const res = await fetch(`${child?.url}/events`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            const answer = (await res.json()) as { eventId?: string };
            if (res.status === 202 && answer.eventId) acked.push(answer.eventId);
          } catch {
            // The request the kill interrupted got no answer: it was never acknowledged, so it may be lost.
          }
        }
      };
      const senders = Array.from({ length: 8 }, sender);

      // Kill once a backlog exists, so deliveries pending and in flight are interrupted too.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const health = await request(`${child.url}/local/health`);
        if (acked.length >= 300 && (health.body.open as number) >= 20) break;
        if (Date.now() > deadline) throw new Error(`no backlog built up: ${health.text}`);
        await sleep(20);
      }
      child.proc.kill("SIGKILL");
      await child.exited;
      killed = true;
      await Promise.all(senders);

      // Open deliveries, read from the file: rows not settled, plus those of events whose rows are not written yet.
      const probe = new Probe(temp.dir);
      const open = probe.openDeliveries();
      probe.close();
      expect(open, "deliveries interrupted by the kill").to.be.greaterThan(0);

      child = await startMain(db, await freePort());
      const unsettled: string[] = [];
      for (const id of acked) {
        const view = await waitFor(child.url, id, undefined, 30_000).catch(() => undefined);
        if (view?.status !== "done") unsettled.push(`${id}: ${view?.status ?? "unknown"}`);
      }
      expect(unsettled, `of ${acked.length} acknowledged events`).to.deep.equal([]);
      expect(acked.length).to.be.at.least(300);
    });

    it("shuts down cleanly on SIGTERM", async () => {
      const running = child ?? (await startMain(db, await freePort()));
      running.proc.kill("SIGTERM");
      await running.exited;
      expect(running.proc.exitCode, running.stderr()).to.equal(0);
    });

    it("exits at once with code 1 on a second signal while shutting down", async () => {
      const running = await startMain(db, await freePort());
      child = running;
      const held = await holdRequest(running.url);
      try {
        running.proc.kill("SIGTERM");
        // The first shutdown has reached the server's close once the server stops answering; it then waits
        // for the held request, for good.
        const closing = await until(async () => {
          try {
            return (await fetch(`${running.url}/local/health`)).status !== 200;
          } catch {
            return true;
          }
        }, 10_000);
        expect(closing, "the server still answers after SIGTERM").to.equal(true);
        expect(running.proc.exitCode, `exited on the first signal: ${running.stderr()}`).to.equal(null);

        running.proc.kill("SIGINT");
        const exited = await Promise.race([running.exited.then(() => true), sleep(5000).then(() => false)]);

        expect(exited, "still running 5 s after the second signal").to.equal(true);
        expect(running.proc.exitCode, running.stderr()).to.equal(1);
      } finally {
        held.destroy();
      }
    });
  });
}
