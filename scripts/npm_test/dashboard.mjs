// The dashboard from the installed package, served by serveDashboard on this
// runtime's node:http: the token is required, a login sets the session
// cookie, pages render, a forged POST is refused and a replay works.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as dashboardEsm from "@omoi/webhook-delivery/dashboard";
import { builds, NAME, require } from "./_package.mjs";

const TOKEN = "npm-dashboard-token-0123456789";
const form = (fields) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual",
});

const dashboards = [dashboardEsm, require(`${NAME}/dashboard`)];

for (const [index, [build, webhooks]] of builds.entries()) {
  const { createDashboard, serveDashboard } = dashboards[index];
  describe(`the dashboard of the ${build}`, () => {
    it("serves on node:http behind its token, with CSRF-checked replay", async (t) => {
      const queue = new webhooks.WebhookQueue({
        logger: webhooks.silentLogger,
        retryDelaysMs: [],
        fetch: () => Promise.resolve(new Response(null, { status: 400 })),
      });
      t.after(() => queue.close());
      queue.start();
      const { id } = await queue.enqueue("https://receiver.test/hooks", {
        note: "<script>alert(1)</script>",
      });
      while ((await queue.get(id))?.status !== "dead") {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const stop = new AbortController();
      const server = await serveDashboard(
        createDashboard(queue, { token: TOKEN }),
        { port: 0, signal: stop.signal },
      );
      t.after(async () => {
        stop.abort();
        await server.finished;
      });
      assert.equal(server.hostname, "127.0.0.1");

      const refused = await fetch(server.url);
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get("x-frame-options"), "DENY");
      await refused.text();

      const login = await fetch(`${server.url}login`, form({ token: TOKEN }));
      assert.equal(login.status, 303);
      const cookie = login.headers.get("set-cookie").split(";")[0];
      await login.text();

      const page = await fetch(`${server.url}messages/${id}`, {
        headers: { cookie },
      });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
      assert.ok(!html.includes("<script>alert"));
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)[1];

      const forged = await fetch(`${server.url}messages/${id}/replay`, {
        ...form({ csrf: "guess" }),
        headers: { ...form({}).headers, cookie },
      });
      assert.equal(forged.status, 403);
      await forged.text();
      assert.equal((await queue.get(id)).status, "dead");

      const replay = await fetch(`${server.url}messages/${id}/replay`, {
        ...form({ csrf }),
        headers: { ...form({}).headers, cookie },
      });
      assert.equal(replay.status, 303);
      await replay.text();
      // Sent again: the stand-in receiver refuses it a second time.
      while ((await queue.get(id)).attempts.length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
  });
}
