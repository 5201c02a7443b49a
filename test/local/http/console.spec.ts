/**
 * The web console at `/console` in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core. A posted event arrives live and its causal tree opens; a dead letter is redriven from the
 * page; a replay runs from the form with its progress; the page loads nothing from anywhere but the stack.
 * `BACKBONE_CONSOLE_SCREENSHOT=<file.png>` also saves a screenshot of the console with this data.
 */
import { expect } from "chai";
import { existsSync } from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { routes } from "../../../infra/routes";
import { healableRoute } from "../../support/healable-route";
import { tempDir } from "../../support/temp";
import { accept, fixture, request, startLocal, until, waitFor, type Running } from "../helpers";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("web console in headless Chromium", function () {
  this.timeout(60_000);
  const warehouse = healableRoute();
  let server: Running;
  let profile: ReturnType<typeof tempDir>;
  let browser: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const errors: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed (${CHROMIUM}): run apt-get install -y chromium (.ci/run installs it in CI)`,
      );
    }
    server = await startLocal({ routes: [...routes, warehouse.row] });
    profile = tempDir("backbone-chromium-");
    // A fresh profile each run; Playwright passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("request", (r) => requested.push(r.url()));
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`${server.url}/console`);
    await page.locator("body[data-ready=true]").waitFor();
    await page.locator("#connection.live").waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    profile?.remove();
  });

  it("shows a posted event arriving live, its route's outcome, and its causal tree when clicked", async () => {
    const id = await accept(server.url, "order-created", fixture("order-created.seed").detail);

    const row = page.locator(`#live-events tr[data-event-id="${id}"]`);
    await row.waitFor();
    expect(await row.locator("td").nth(1).textContent()).to.equal("order-created");
    await row.locator('.chip[data-status="done"]', { hasText: "order-created" }).waitFor();

    await row.click();
    const tree = page.locator(`#tree-view [data-node="${id}"]`);
    await tree.waitFor();
    await tree.locator('[data-route="order-created"]', { hasText: "done" }).first().waitFor();
    // The follow-up the order's processor emitted, with its own delivery.
    const followUp = tree.locator("li", { hasText: "follow-up from order-created" }).first();
    await followUp.waitFor();
    expect(await followUp.textContent()).to.contain("notification-sent");
  });

  it("shows each route's counts", async () => {
    const cell = page.locator('#route-rows tr[data-route="order-created"] td').nth(1);
    const counted = await until(async () => Number(await cell.textContent()) >= 1);
    expect(counted, String(await cell.textContent())).to.equal(true);
  });

  it("lists a dead-lettered event and redrives it from the page once its processor heals", async () => {
    const id = await accept(server.url, "analytics-event", fixture("analytics-event.page-view").detail);
    await waitFor(server.url, id, (v) =>
      v.routes.some((r) => r.routeKey === "warehouse" && r.status === "dead-lettered"),
    );

    const entry = page.locator("#dlq-rows tr", { hasText: id });
    await entry.waitFor();
    expect(await entry.locator("td").nth(5).textContent()).to.contain("warehouse unavailable");
    await page.locator('#route-rows tr[data-route="warehouse"] td', { hasText: "1" }).last().waitFor();

    warehouse.heal();
    await entry.locator("input[type=checkbox]").check();
    await page.locator("#redrive-selected").click();

    await page.locator("#dlq-status", { hasText: /^Redriven 1: \d+\.$/ }).waitFor();
    const view = await waitFor(server.url, id);
    expect(view.routes.find((r) => r.routeKey === "warehouse")).to.include({ status: "done" });
    await entry.waitFor({ state: "detached" });
    expect((await request(`${server.url}/local/dlq`)).body.count).to.equal(0);
  });

  it("runs a replay from the form and shows its progress to COMPLETED", async () => {
    await page.locator("#replay-form select[name=route]").selectOption("order-created");
    await page.locator("#replay-form input[name=name]").fill("from-the-console");
    await page.locator("#replay-form button[type=submit]").click();

    const state = page.locator('#replay-state[data-state="COMPLETED"]');
    await state.waitFor();
    expect(await state.textContent()).to.match(/^from-the-console: COMPLETED (\d+)\/\1$/);
    expect(
      await page.locator("#replay-progress").evaluate((p) => (p as unknown as { value: number }).value),
    ).to.equal(1);
    const replay = (await request(`${server.url}/local/replays/from-the-console`)).body;
    expect(replay).to.include({ state: "COMPLETED" });
    expect(replay.routes).to.deep.equal(["order-created"]);
  });

  it("with a token: gets in once through /console?token=, then its requests and live stream carry the cookie", async () => {
    const token = "console-t0ken";
    const guarded = await startLocal({ token });
    const other = await browser.newPage();
    try {
      await other.goto(`${guarded.url}/console?token=${token}`);
      expect(other.url()).to.equal(`${guarded.url}/console`);
      await other.locator("body[data-ready=true]").waitFor();
      await other.locator("#connection.live").waitFor();

      const posted = await request(`${guarded.url}/events`, {
        body: { "detail-type": "order-created", detail: fixture("order-created.seed").detail },
        headers: { authorization: `Bearer ${token}` },
      });
      expect(posted.status, posted.text).to.equal(202);
      const id = posted.body.eventId as string;
      await other
        .locator(`#live-events tr[data-event-id="${id}"] .chip[data-status="done"]`)
        .first()
        .waitFor();
    } finally {
      await other.close();
      await guarded.stop();
    }
  });

  it("asked nothing of any other origin and logged no error", async () => {
    if (process.env.BACKBONE_CONSOLE_SCREENSHOT) {
      // A fuller page for the README: more traffic, one dead letter waiting, a ticket's tree open.
      warehouse.break();
      await accept(server.url, "user-registered", fixture("user-registered").detail);
      const dead = await accept(server.url, "analytics-event", fixture("analytics-event.page-view").detail);
      await page.locator("#dlq-rows tr", { hasText: dead }).waitFor();
      const id = await accept(server.url, "support-ticket", fixture("support-ticket.seed").detail);
      await page
        .locator(`#live-events tr[data-event-id="${id}"] .chip[data-status="done"]`)
        .first()
        .waitFor();
      await page.locator(`#live-events tr[data-event-id="${id}"]`).click();
      await page.locator(`#tree-view [data-node="${id}"]`).waitFor();
      await page.screenshot({ path: process.env.BACKBONE_CONSOLE_SCREENSHOT, fullPage: true });
    }
    expect(requested.length).to.be.greaterThan(5);
    expect(requested.filter((u) => !u.startsWith(`${server.url}/`))).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });
});
