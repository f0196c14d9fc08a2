/**
 * The dashboard in a real browser: Debian's headless Chromium, driven by
 * puppeteer-core (no browser download). Logs in, sees a dead message,
 * opens it, replays it and watches the page turn to delivered; an
 * unauthenticated visit and forged POSTs are refused; a payload holding
 * `<script>` is shown as text. A screenshot of each page goes to
 * test-output/dashboard/.
 */
import assert from "node:assert/strict";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { silentLogger, WebhookQueue } from "../../mod.ts";
import { createDashboard } from "../../src/dashboard/mod.ts";
import { serveDashboard } from "../../src/dashboard/serve.ts";
import { eventually, startReceiver } from "../queue/_receiver.ts";
import { HOSTILE_PAYLOAD, TOKEN } from "./_fixture.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const OUTPUT = new URL("../../test-output/dashboard/", import.meta.url);

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const INSTALL =
  `Chromium is missing at ${CHROMIUM}: install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`;
const present = chromiumPresent();

Deno.test({
  name:
    "dashboard in headless Chromium: log in, open a dead message, replay it, watch it delivered; refusals; markup as text",
  // Without Chromium it fails with how to install it: never a silent skip.
  async fn() {
    if (!present) throw new Error(INSTALL);
    await Deno.mkdir(OUTPUT, { recursive: true });
    // The receiver fails the first delivery, holds the second until the
    // test has seen the page pending, then accepts.
    let answers = 0;
    const release = Promise.withResolvers<void>();
    await using receiver = startReceiver(async () => {
      answers++;
      if (answers === 1) return new Response(null, { status: 503 });
      if (answers === 2) await release.promise;
      return new Response(null, { status: 204 });
    });
    await using queue = new WebhookQueue({
      logger: silentLogger,
      retryDelaysMs: [],
      jitter: 0,
      circuitBreaker: false,
      pollIntervalMs: 50,
    });
    queue.start();
    const { id } = await queue.enqueue(
      `${receiver.origin}/hooks/it's"quoted"?token=abc`,
      HOSTILE_PAYLOAD,
      { id: "evt_browser_1", headers: { "x-api-key": "sekret-header-value" } },
    );
    await eventually(
      async () => (await queue.get(id))?.status === "dead",
      "the first delivery fails and the message is dead",
    );

    const stop = new AbortController();
    const server = await serveDashboard(
      createDashboard(queue, {
        token: TOKEN,
        basePath: "/dash",
        refreshMs: 100,
        title: "Acme webhooks",
      }),
      { port: 0, signal: stop.signal },
    );
    // Another site, for the cross-site forgery: same host name rules, other origin.
    await using attacker = startReceiver(() =>
      new Response(
        `<!doctype html><form id="f" method="post" action="${server.url}dash/messages/${id}/replay"><input name="csrf" value="guess"></form><script>document.getElementById("f").submit()</script>`,
        { headers: { "content-type": "text/html" } },
      )
    );
    const base = `${server.url}dash`;
    let browser: Browser | undefined;
    try {
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        pipe: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--no-first-run",
          "--no-default-browser-check",
        ],
      });
      const page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 720 });
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const cspViolations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) {
          cspViolations.push(message.text());
        }
      });
      const shot = (name: string) =>
        page.screenshot({
          path: decodeURIComponent(new URL(`${name}.png`, OUTPUT).pathname),
          fullPage: true,
        });

      // Unauthenticated: the login form, with 401.
      const first = await page.goto(`${base}/`);
      assert.equal(first?.status(), 401);
      assert.equal(await page.$("input[name=token]") !== null, true);
      await shot("1-login");

      // A wrong token, then the right one.
      await page.type("input[name=token]", "not-the-token-0123456789");
      await Promise.all([page.waitForNavigation(), page.click("button")]);
      assert.match(await text(page, "main"), /not the dashboard's token/);
      await page.type("input[name=token]", TOKEN);
      const [overview] = await Promise.all([
        page.waitForNavigation(),
        page.click("button"),
      ]);
      assert.equal(overview?.status(), 200);
      assert.equal(await text(page, '[data-count="dead"]'), "1");
      await shot("2-overview");

      // The dead list shows the message.
      await Promise.all([
        page.waitForNavigation(),
        page.click('nav a[href$="status=dead"]'),
      ]);
      assert.match(await text(page, "table"), /evt_browser_1/);
      await shot("3-dead");

      // Its page: the attempt, the reason, the redacted URL, the payload as text.
      await Promise.all([
        page.waitForNavigation(),
        page.click(`a[href$="/messages/evt_browser_1"]`),
      ]);
      assert.match(await text(page, "table"), /HTTP 503/);
      assert.match(await text(page, ".url"), /\?token=REDACTED$/);
      assert.match(await text(page, ".url"), /it's%22quoted%22/);
      const payload = await text(page, "pre.payload");
      assert.ok(payload.includes(`<script>alert(\\"payload\\")</script>`));
      assert.equal(
        await page.$$eval("script", (scripts) => scripts.length),
        1,
        "the dashboard's own script only",
      );
      assert.equal(await page.$("pre.payload img"), null);
      assert.ok(!(await page.content()).includes("sekret-header-value"));
      await shot("4-message-dead");

      // Forged POSTs: same origin without the CSRF token, then from another site.
      const forgedStatus = await page.evaluate(async (url) => {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "csrf=guess",
        });
        return response.status;
      }, `${base}/messages/${id}/replay`);
      assert.equal(forgedStatus, 403);
      const forgery = await browser.newPage();
      try {
        const refusal = forgery.waitForResponse((response) =>
          response.url().startsWith(`${base}/messages/`)
        );
        await forgery.goto(
          `${attacker.origin.replace("127.0.0.1", "localhost")}/`,
        );
        const status = (await refusal).status();
        assert.ok(
          status === 401 || status === 403,
          `the cross-site POST is refused (${status})`,
        );
      } finally {
        await forgery.close();
      }
      assert.equal((await queue.get(id))?.status, "dead", "nothing replayed");
      assert.equal(answers, 1);

      // Replay: the page reloads itself once the message is delivered.
      await Promise.all([
        page.waitForNavigation(),
        page.click("form[action$='/replay'] button"),
      ]);
      assert.match(await text(page, ".notice"), /Replayed/);
      assert.equal(await text(page, "dd .status"), "pending");
      await eventually(() => answers === 2, "the replay's attempt arrives");
      release.resolve();
      // No click: the live script reloads the page once the status changes.
      await page.waitForSelector(".status-delivered", { timeout: 20_000 });
      assert.equal(await page.$(".notice"), null, "the notice is gone");
      assert.match(await text(page, "table"), /HTTP 204/);
      assert.equal((await queue.get(id))?.status, "delivered");
      await shot("5-message-delivered");

      await page.goto(`${base}/endpoints`);
      assert.match(await text(page, "table"), /\/hooks\/it's%22quoted%22/);
      await shot("6-endpoints");
      await page.goto(`${base}/`);
      assert.equal(await text(page, '[data-count="delivered"]'), "1");
      // The live script fills in counts that change after the page loaded.
      await queue.enqueue(`${receiver.origin}/hooks/second`, { n: 2 });
      await page.waitForFunction(
        `document.querySelector('[data-count="delivered"]')?.textContent === "2"`,
        { timeout: 20_000 },
      );
      await shot("7-overview-after");

      // Another browser profile, never logged in, is refused.
      const stranger = await browser.createBrowserContext();
      try {
        const strangerPage = await stranger.newPage();
        const refused = await strangerPage.goto(
          `${base}/messages/${id}`,
        );
        assert.equal(refused?.status(), 401);
        assert.ok(!(await strangerPage.content()).includes("evt_browser_1"));
      } finally {
        await stranger.close();
      }

      assert.deepEqual(dialogs, [], "no script from the data ran");
      assert.deepEqual(
        cspViolations,
        [],
        "the page needs nothing the CSP forbids",
      );
    } finally {
      release.resolve();
      await browser?.close();
      stop.abort();
      await server.finished;
    }
  },
});

async function text(page: Page, selector: string): Promise<string> {
  return await page.$eval(selector, (element) => element.textContent ?? "");
}
