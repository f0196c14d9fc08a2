import assert from "node:assert/strict";
import { silentLogger, WebhookQueue } from "../../mod.ts";
import { createDashboard } from "../../src/dashboard/mod.ts";
import { serveDashboard } from "../../src/dashboard/serve.ts";
import { TOKEN } from "./_fixture.ts";

Deno.test("serveDashboard: serves the handler over a real socket on 127.0.0.1, cookies and forms included, until its signal", async () => {
  await using queue = new WebhookQueue({ logger: silentLogger });
  await queue.enqueue("https://receiver.example/hook", { n: 1 }, { id: "m1" });
  const seen: string[] = [];
  const dashboard = createDashboard(queue, { token: TOKEN, basePath: "/dash" });
  const stop = new AbortController();
  const server = await serveDashboard((request) => {
    seen.push(request.url);
    return dashboard(request);
  }, { port: 0, signal: stop.signal });
  try {
    assert.equal(server.hostname, "127.0.0.1");
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);

    const refused = await fetch(`${server.url}dash/`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get("x-frame-options"), "DENY");
    assert.match(await refused.text(), /name="token"/);

    const login = await fetch(`${server.url}dash/login`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        // The request's URL comes from the bound address, not from Host.
        host: "attacker.example",
      },
      body: new URLSearchParams({ token: TOKEN }),
      redirect: "manual",
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get("location"), "/dash/");
    const cookie = login.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    assert.ok(cookie?.startsWith("webhook_dashboard="));
    await login.body?.cancel();
    assert.ok(
      seen.every((url) => url.startsWith(`http://127.0.0.1:${server.port}/`)),
    );

    const overview = await fetch(`${server.url}dash/`, { headers: { cookie } });
    assert.equal(overview.status, 200);
    assert.equal(
      overview.headers.get("content-type"),
      "text/html; charset=utf-8",
    );
    assert.match(await overview.text(), /data-count="pending">1</);

    const head = await fetch(`${server.url}dash/api/stats`, {
      method: "HEAD",
      headers: { cookie },
    });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");

    const tooLarge = await fetch(`${server.url}dash/logout`, {
      method: "POST",
      headers: {
        cookie,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "csrf=" + "x".repeat(100_000),
    });
    assert.equal(tooLarge.status, 413);
    await tooLarge.body?.cancel();
  } finally {
    stop.abort();
    await server.finished;
  }
  await assert.rejects(fetch(server.url), TypeError, "stopped listening");
});

Deno.test("serveDashboard: rejects a bad port and an aborted signal", async () => {
  const handler = () => new Response("x");
  await assert.rejects(serveDashboard(handler, { port: 70_000 }), RangeError);
  await assert.rejects(
    serveDashboard(handler, { port: 0, signal: AbortSignal.abort() }),
    Error,
  );
});
