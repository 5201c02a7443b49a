/**
 * Every `backbone` command against the local stack, end to end and in-process: the real routing table plus a
 * route whose processor fails until healed (no retries), so a dead letter can be listed and redriven.
 */
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { healableRoute } from "../../support/healable-route";
import { accept, fixture, request, startLocal, until, waitFor, type Running } from "../../local/helpers";
import { cli, startCli } from "./helpers";
import { processorsLine } from "../../../infra/cli/local-views";

describe("backbone CLI against the local stack", function () {
  const broken = healableRoute();
  let server: Running;
  let at: string[];
  before(async () => {
    server = await startLocal({ routes: [...routes, broken.row] });
    at = ["--url", server.url];
  });
  after(async () => {
    await server?.stop();
  });

  it("routes: one line per row with its rule, state, counts and function", async () => {
    const id = await accept(server.url, "order-created", fixture("order-created.seed").detail);
    await waitFor(server.url, id);

    const { code, stdout, stderr } = await cli(["routes", ...at]);

    expect(code, stderr).to.equal(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0].split(/\s{2,}/)).to.deep.equal([
      "ROUTE",
      "RULE",
      "STATE",
      "INVOCATIONS",
      "DONE",
      "FAILURES",
      "DEAD-LETTERED",
      "DLQ",
      "TARGET",
    ]);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).to.deep.equal([
      ...routes.map((r) => r.key),
      "warehouse",
    ]);
    const order = lines.find((l) => l.startsWith("order-created "))?.split(/\s+/);
    expect(order).to.deep.equal([
      "order-created",
      "event-backbone-local-order-created",
      "ENABLED",
      "1",
      "1",
      "0",
      "0",
      "0",
      "event-backbone-local-order-created",
    ]);
  });

  it("events show ID: the causal tree, drawn, with each route's attempts and the follow-up's delivery", async () => {
    const id = await accept(server.url, "order-created", fixture("order-created.seed").detail);
    const settled = await until(async () => {
      const tree = (await request(`${server.url}/local/events/${id}`)).body as {
        followUps?: { status: string }[];
      };
      return tree.followUps?.[0]?.status === "done";
    });
    expect(settled, "the follow-up was delivered").to.equal(true);

    const { code, stdout } = await cli(["events", "show", id, ...at]);

    expect(code).to.equal(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).to.match(
      new RegExp(`^${id} order-created from backbone\\.api: done, accepted \\S+, correlation [0-9a-f]{32}$`),
    );
    expect(lines[1]).to.equal("├─ route order-created: done, 1 attempt");
    expect(lines[2]).to.match(/^│  └─ attempt 1 done \S+ → \S+$/);
    expect(lines[3]).to.match(
      /^└─ follow-up from order-created: \S+ notification-sent from backbone\.order: done, accepted \S+$/,
    );
    expect(lines[4]).to.equal("   └─ route notification-sent: done, 1 attempt");
    expect(lines).to.have.length(6);
  });

  it("events show: an unknown id is the local stack's 404, one line, exit 1", async () => {
    const { code, stdout, stderr } = await cli(["events", "show", "no-such-event", ...at]);
    expect(code).to.equal(1);
    expect(stdout).to.equal("");
    expect(stderr).to.equal("backbone: NotFound: event no-such-event is unknown\n");
  });

  it("events tail: accepted events and their outcomes as they happen, only the --detail-type asked for", async () => {
    const tail = startCli(["events", "tail", "--detail-type", "user-registered", ...at]);
    expect(await until(() => tail.stderr.text.includes("following")), tail.stderr.text).to.equal(true);

    await accept(server.url, "order-created", fixture("order-created.seed").detail);
    const id = await accept(server.url, "user-registered", fixture("user-registered").detail);
    await waitFor(server.url, id);
    const seen = await until(() => tail.stdout.text.includes(`${id} user-registered done`));
    const code = await tail.stop();

    expect(seen, tail.stdout.text).to.equal(true);
    expect(code).to.equal(0);
    expect(tail.stderr.text).to.equal(`following ${server.url} (Ctrl-C to stop)\n`);
    const lines = tail.stdout.text.trimEnd().split("\n");
    expect(lines[0]).to.match(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z accepted ${id} user-registered from backbone\\.api → user-registered$`,
      ),
    );
    expect(lines[1]).to.match(
      new RegExp(`^\\S+ outcome  ${id} user-registered done \\(attempt 1, \\d+ ms\\)$`),
    );
    expect(tail.stdout.text).to.not.contain("order-created");
  });

  it("events tail: a stream the local stack ends (it stops) is said on stderr, exit 1", async () => {
    const own = await startLocal();
    const tail = startCli(["events", "tail", "--url", own.url]);
    expect(await until(() => tail.stderr.text.includes("following"))).to.equal(true);
    await own.stop();
    expect(await tail.done).to.equal(1);
    expect(tail.stderr.text).to.equal(
      `following ${own.url} (Ctrl-C to stop)\nbackbone: ${own.url} ended the stream\n`,
    );
  });

  it("events tail --route: an unknown route is named with the known ones, exit 2", async () => {
    const { code, stderr } = await cli(["events", "tail", "--route", "nope", ...at]);
    expect(code).to.equal(2);
    expect(stderr).to.match(/^backbone: unknown route nope \(routes: order-created, .*, warehouse\)\n$/);
  });

  it("dlq list, then dlq redrive --ids: the dead letter is listed, redriven once healed, and delivered", async () => {
    const id = await accept(server.url, "analytics-event", fixture("analytics-event.page-view").detail);
    await waitFor(server.url, id, (v) =>
      v.routes.some((r) => r.routeKey === "warehouse" && r.status === "dead-lettered"),
    );

    const list = await cli(["dlq", "list", "--route", "warehouse", ...at]);

    expect(list.code).to.equal(0);
    const [header, row, total] = list.stdout.trimEnd().split("\n");
    expect(header.split(/\s{2,}/)).to.deep.equal([
      "ID",
      "ROUTE",
      "EVENT",
      "ATTEMPTS",
      "DEAD-LETTERED AT",
      "ERROR",
    ]);
    const cells = row.split(/\s{2,}/);
    expect(cells.slice(1, 4)).to.deep.equal(["warehouse", id, "1"]);
    expect(cells[5]).to.match(/warehouse unavailable/);
    expect(total).to.equal("1 dead letter");
    expect((await cli(["dlq", "list", "--route", "order-created", ...at])).stdout).to.equal(
      "no dead letters for route order-created\n",
    );

    broken.heal();
    const redrive = await cli(["dlq", "redrive", "--ids", cells[0], ...at]);

    expect(redrive).to.deep.equal({ code: 0, stdout: `redriven 1: ${cells[0]}\n`, stderr: "" });
    const view = await waitFor(server.url, id);
    expect(view.routes.find((r) => r.routeKey === "warehouse")).to.include({ status: "done" });
    expect((await cli(["dlq", "list", "--route", "warehouse", ...at])).stdout).to.equal(
      "no dead letters for route warehouse\n",
    );
  });

  it("dlq redrive --ids of no open dead letter: names it and exits 1, as against AWS", async () => {
    const { code, stdout } = await cli(["dlq", "redrive", "--ids", "999999", ...at]);

    expect({ code, stdout }).to.deep.equal({
      code: 1,
      stdout: "redriven 0\nnot redriven 999999: not a dead letter of this stack\n",
    });
  });

  it("dlq redrive --ids with something else than entry ids: exit 2 before any request", async () => {
    const { code, stderr } = await cli(["dlq", "redrive", "--ids", "1,abc", ...at]);
    expect(code).to.equal(2);
    expect(stderr).to.equal('backbone: --ids: "abc" is not a DLQ entry id (a number)\n');
  });

  it("replay --route: plain progress lines when stdout is no terminal, then the summary; only that route", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const id = await accept(server.url, "support-ticket", fixture("support-ticket.seed").detail);
    await waitFor(server.url, id);

    const { code, stdout } = await cli([
      "replay",
      "--from",
      from,
      "--route",
      "support-ticket",
      "--name",
      "cli-plain",
      ...at,
    ]);

    expect(code).to.equal(0);
    const lines = stdout.trimEnd().split("\n");
    const done = /^replay cli-plain COMPLETED: (\d+) of \1 events replayed$/.exec(lines[lines.length - 1]);
    expect(done, stdout).to.not.equal(null);
    expect(lines).to.include(`cli-plain: COMPLETED 100% ${done?.[1]}/${done?.[1]}`);
    expect(stdout).to.not.contain("\r");
    const tree = (await request(`${server.url}/local/events/${id}`)).body as {
      routes: { routeKey: string }[];
      replays: { replayName: string; routes: { routeKey: string }[] }[];
    };
    // The original reached both support routes (priority high); its replay only the one asked for.
    expect(tree.routes.map((r) => r.routeKey)).to.have.members(["support-ticket", "support-escalation"]);
    const copy = tree.replays.find((r) => r.replayName === "cli-plain");
    expect(copy?.routes.map((r) => r.routeKey)).to.deep.equal(["support-ticket"]);
  });

  it("replay on a terminal: one bar redrawn in place", async () => {
    const { code, stdout } = await cli(["replay", "--from", "1h", "--name", "cli-tty", ...at], { tty: true });
    expect(code).to.equal(0);
    const frames = stdout.split("\r\x1b[K").filter(Boolean);
    expect(frames[frames.length - 1]).to.match(
      /^cli-tty \[█{24}\] 100% \d+\/\d+ COMPLETED\nreplay cli-tty COMPLETED: \d+ of \d+ events replayed\n$/,
    );
    for (const frame of frames.slice(0, -1)) expect(frame).to.match(/^cli-tty \[[█░]{24}\] +(\?|\d+)%/);
  });

  it("replay: a name the local stack refuses is its 400, exit 1", async () => {
    const { code, stderr } = await cli(["replay", "--from", "1h", "--name", "bad name!", ...at]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^backbone: BadRequestBody: body\.name: .+\n$/);
  });

  it("health says how processors run: in isolated workers (with their counts) or unisolated", () => {
    expect(processorsLine("workers", { workers: 2, started: 3, crashed: 1, timedOut: 0 })).to.equal(
      "isolated workers: 2 running, 3 started, 1 crashed, 0 timed out",
    );
    expect(processorsLine("none", undefined)).to.equal("unisolated, on the server's thread");
  });

  it("health: the backlog, deliveries and dead letters; --json: the local stack's own answer", async () => {
    const text = await cli(["health", ...at]);
    expect(text.code).to.equal(0);
    expect(text.stdout).to.match(
      new RegExp(
        `^target: +${server.url.replace(/\./g, "\\.")}\nstatus: +ok\nprocessors: +unisolated, on the server's thread\n`,
      ),
    );
    // Earlier tests post in bursts, so the stack may still be yielding to ingest, which the line then says.
    expect(text.stdout).to.match(/\nbacklog: +\d+ open of 1000000( \(yielding to ingest\))?\n/);
    expect(text.stdout).to.match(/\nroutes: +order-created, .*, warehouse\n$/);

    const json = await cli(["health", "--json", ...at]);
    expect(JSON.parse(json.stdout)).to.deep.equal((await request(`${server.url}/local/health`)).body);
  });
});
