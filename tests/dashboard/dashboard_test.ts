import assert from "node:assert/strict";
import { silentLogger, WebhookQueue } from "../../mod.ts";
import { createDashboard } from "../../src/dashboard/mod.ts";
import { eventually } from "../queue/_receiver.ts";
import {
  HOSTILE_ENDPOINT,
  hostileQueue,
  NEVER_SHOWN,
  TOKEN,
} from "./_fixture.ts";

const ORIGIN = "http://127.0.0.1:8787";
const BASE = "/ops/webhooks";
const BEARER = { authorization: `Bearer ${TOKEN}` };

type Handler = ReturnType<typeof createDashboard>;

async function setup(answers?: number[]) {
  const fixture = await hostileQueue(answers);
  const handler = createDashboard(fixture.queue, {
    token: TOKEN,
    basePath: BASE,
    onError: (error) => {
      throw error;
    },
  });
  return {
    ...fixture,
    handler,
    [Symbol.asyncDispose]: () => fixture.queue.close(),
  };
}

function get(handler: Handler, path: string, headers: HeadersInit = BEARER) {
  return handler(
    new Request(`${ORIGIN}${BASE}${path}`, {
      headers: {
        accept: "text/html",
        ...Object.fromEntries(new Headers(headers)),
      },
    }),
  );
}

function post(
  handler: Handler,
  path: string,
  form: Record<string, string>,
  headers: HeadersInit = {},
) {
  return handler(
    new Request(`${ORIGIN}${BASE}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...Object.fromEntries(new Headers(headers)),
      },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

async function login(
  handler: Handler,
): Promise<{ cookie: string; csrf: string }> {
  const response = await post(handler, "/login", { token: TOKEN });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get("location"), `${BASE}/`);
  const setCookie = response.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Strict/);
  assert.match(setCookie, new RegExp(`; Path=${BASE}`));
  const cookie = setCookie.split(";")[0]!;
  const page = await get(handler, "/", { cookie });
  assert.equal(page.status, 200);
  return { cookie, csrf: csrfOf(await page.text()) };
}

function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, "the page carries a CSRF token");
  return match[1]!;
}

function assertSecurityHeaders(response: Response, what: string): void {
  const csp = response.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/, what);
  assert.match(csp, /script-src 'self'(;|$)/, what);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/, what);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, what);
  assert.equal(response.headers.get("x-frame-options"), "DENY", what);
  assert.equal(response.headers.get("referrer-policy"), "no-referrer", what);
  assert.equal(response.headers.get("cache-control"), "no-store", what);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff", what);
}

Deno.test("dashboard: every request without the token is refused with 401, a wrong token too", async () => {
  await using t = await setup();
  for (
    const path of [
      "/",
      "/messages?status=dead",
      `/messages/${encodeURIComponent(t.deadId)}`,
      "/endpoints",
      "/api/stats",
      "/assets/live.js",
    ]
  ) {
    for (
      const headers of [
        {},
        { authorization: "Bearer wrong-token-0123456789" },
        { authorization: `Basic ${btoa(`x:${TOKEN}`)}` },
        { cookie: "webhook_dashboard=forged.value.here" },
      ]
    ) {
      const response = await get(t.handler, path, headers);
      const text = await response.text();
      assert.equal(response.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.equal(
        response.headers.get("www-authenticate"),
        'Bearer realm="webhook-delivery"',
      );
      assertSecurityHeaders(response, path);
      assert.doesNotMatch(
        text,
        /receiver\.example|evt_/,
        "nothing of the queue",
      );
    }
  }
  const wrong = await post(t.handler, "/login", {
    token: "not-the-token-at-all",
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("set-cookie"), null);
  assert.match(await wrong.text(), /not the dashboard&#39;s token/);
  const json = await t.handler(new Request(`${ORIGIN}${BASE}/api/stats`));
  assert.equal(json.status, 401);
  assert.deepEqual(await json.json(), { error: "unauthorized" });
});

Deno.test("dashboard: the token opens it by bearer header or by login cookie; a tampered cookie does not", async () => {
  await using t = await setup();
  const byBearer = await get(t.handler, "/");
  assert.equal(byBearer.status, 200);
  assertSecurityHeaders(byBearer, "overview");
  const overview = await byBearer.text();
  assert.match(overview, /data-count="dead">1</);
  assert.match(overview, /data-count="delivered">1</);
  const { cookie } = await login(t.handler);
  const tampered = cookie.slice(0, -2) + (cookie.endsWith("AA") ? "BB" : "AA");
  assert.equal((await get(t.handler, "/", { cookie: tampered })).status, 401);
  // A proxy's Basic credentials beside the cookie leave it to the cookie;
  // a wrong Bearer token beside it does not.
  const basic = { authorization: `Basic ${btoa("proxy:user")}` };
  const behindProxy = await get(t.handler, "/", { cookie, ...basic });
  await behindProxy.body?.cancel();
  assert.equal(behindProxy.status, 200);
  const wrongBearer = await get(t.handler, "/", {
    cookie,
    authorization: "Bearer wrong-token-0123456789",
  });
  await wrongBearer.body?.cancel();
  assert.equal(wrongBearer.status, 401);
  const stats = await t.handler(
    new Request(`${ORIGIN}${BASE}/api/stats`, { headers: { cookie } }),
  );
  assertSecurityHeaders(stats, "stats");
  assert.deepEqual(await stats.json(), {
    pending: 0,
    delivered: 1,
    dead: 1,
    inFlight: 0,
  });
  const outside = await t.handler(
    new Request(`${ORIGIN}/elsewhere`, { headers: BEARER }),
  );
  assert.equal(outside.status, 404);
  await outside.body?.cancel();
});

Deno.test("dashboard: a POST without the session's CSRF token, or from another site, is refused with 403 and changes nothing", async () => {
  await using t = await setup();
  const { cookie, csrf } = await login(t.handler);
  const other = await login(t.handler);
  assert.notEqual(other.csrf, csrf, "each session has its own CSRF token");
  const replay = `/messages/${encodeURIComponent(t.deadId)}/replay`;
  const forged = [
    { form: {}, headers: { cookie } },
    { form: { csrf: "x".repeat(csrf.length) }, headers: { cookie } },
    { form: { csrf: other.csrf }, headers: { cookie } },
    { form: { csrf }, headers: { cookie, "sec-fetch-site": "cross-site" } },
    { form: { csrf: "" }, headers: BEARER },
  ];
  for (const { form, headers } of forged) {
    const response = await post(t.handler, replay, form, headers);
    assert.equal(response.status, 403, JSON.stringify(form));
    assertSecurityHeaders(response, "403");
    await response.body?.cancel();
  }
  const disable = await post(t.handler, "/endpoints/disable", {
    endpoint: HOSTILE_ENDPOINT,
    reason: "forged",
  }, { cookie });
  assert.equal(disable.status, 403);
  await disable.body?.cancel();
  const withoutLogin = await post(t.handler, replay, { csrf });
  assert.equal(withoutLogin.status, 401);
  await withoutLogin.body?.cancel();
  assert.equal((await t.queue.get(t.deadId))?.status, "dead");
  assert.equal(
    (await t.queue.endpoints()).find((e) => e.endpoint === HOSTILE_ENDPOINT)
      ?.status,
    "active",
  );
});

Deno.test("dashboard: stored markup in a payload, URL, id and endpoint key is shown as text", async () => {
  await using t = await setup();
  const pages = [
    "/",
    "/endpoints",
    "/messages?status=dead",
    `/messages?endpoint=${encodeURIComponent(HOSTILE_ENDPOINT)}&status=dead`,
    `/messages/${encodeURIComponent(t.deadId)}`,
  ];
  for (const path of pages) {
    const response = await get(t.handler, path);
    assert.equal(response.status, 200, path);
    const text = await response.text();
    const scripts = text.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [
      `<script src="${BASE}/assets/live.js" defer>`,
    ], `${path}: the one script is the dashboard's`);
    assert.doesNotMatch(text, /<img|<b>|<i>/, path);
    assert.match(text, /&lt;script&gt;alert\(&#39;endpoint&#39;\)/, path);
  }
  const message = await (await get(
    t.handler,
    `/messages/${encodeURIComponent(t.deadId)}`,
  )).text();
  assert.match(
    message,
    /&lt;script&gt;alert\(\\&quot;payload\\&quot;\)&lt;\/script&gt;/,
    "the payload, as text",
  );
  assert.match(message, /Message evt_&lt;script&gt;&quot;1&quot;/);
  assert.match(
    message,
    /https:\/\/receiver\.example\/it&#39;s%22quoted%22%3Cb%3E\?token=REDACTED/,
    "the URL redacted and escaped",
  );
  assert.match(message, /class="dead-reason">[^<]*400/);
  assert.match(message, /HTTP 400/);
  assert.match(
    message,
    /&lt;script&gt;alert\(&quot;excerpt&quot;\)&lt;\/script&gt;/,
    "the receiver's excerpt, as text",
  );
});

Deno.test("dashboard: header values, URL credentials, query values, the secret and the token appear in no page", async () => {
  await using t = await setup();
  const { cookie } = await login(t.handler);
  const paths = [
    "/",
    "/endpoints",
    "/messages",
    "/messages?status=dead",
    `/messages/${encodeURIComponent(t.deadId)}`,
    `/messages/${encodeURIComponent(t.plainId)}`,
    "/api/stats",
    `/api/messages/${encodeURIComponent(t.deadId)}`,
  ];
  for (const path of paths) {
    for (const headers of [BEARER, { cookie }]) {
      const response = await get(t.handler, path, headers);
      const text = await response.text() +
        JSON.stringify([...response.headers]);
      for (const secret of NEVER_SHOWN) {
        assert.ok(!text.includes(secret), `${path} shows ${secret}`);
      }
      assert.ok(!text.includes("x-api-key"), `${path} names a header`);
    }
  }
});

Deno.test("dashboard: replay of one message and of an endpoint's dead messages; disable and re-enable an endpoint", async () => {
  // The dead one refused, the plain one delivered, the first replay refused.
  await using t = await setup([400, 204, 400]);
  const { cookie, csrf } = await login(t.handler);
  const replayed = await post(
    t.handler,
    `/messages/${encodeURIComponent(t.deadId)}/replay`,
    { csrf },
    { cookie },
  );
  assert.equal(replayed.status, 303);
  assertSecurityHeaders(replayed, "303");
  assert.equal(
    replayed.headers.get("location"),
    `${BASE}/messages/${encodeURIComponent(t.deadId)}?done=replayed`,
  );
  // The stand-in receiver refuses it once more (400), then accepts.
  await eventually(
    async () => (await t.queue.get(t.deadId))?.attempts.length === 2,
    "the replay's attempt",
  );
  assert.equal((await t.queue.get(t.deadId))?.status, "dead");
  const bulk = await post(t.handler, "/endpoints/replay-dead", {
    csrf,
    endpoint: HOSTILE_ENDPOINT,
  }, { cookie });
  assert.equal(
    bulk.headers.get("location"),
    `${BASE}/endpoints?done=replayed-dead&n=1`,
  );
  await eventually(
    async () => (await t.queue.get(t.deadId))?.status === "delivered",
    "delivered on the second replay",
  );
  const page = await (await get(
    t.handler,
    `/messages/${encodeURIComponent(t.deadId)}?done=replayed`,
    { cookie },
  )).text();
  assert.match(page, /Replayed: the message is pending again\./);
  assert.match(page, /status-delivered">delivered</);
  assert.deepEqual(
    [...page.matchAll(/<span class="mono">HTTP (\d+)<\/span>/g)].map((m) =>
      m[1]
    ),
    ["400", "400", "204"],
    "every attempt, over both replays",
  );

  const disabled = await post(t.handler, "/endpoints/disable", {
    csrf,
    endpoint: HOSTILE_ENDPOINT,
    reason: `Retired <i>by hand</i>`,
  }, { cookie });
  assert.equal(
    disabled.headers.get("location"),
    `${BASE}/endpoints?done=disabled&n=0`,
  );
  const endpoints =
    await (await get(t.handler, "/endpoints?done=disabled&n=0", { cookie }))
      .text();
  assert.match(endpoints, /Endpoint disabled; 0 pending messages went dead\./);
  assert.match(endpoints, /status-disabled">disabled</);
  assert.match(endpoints, /Retired &lt;i&gt;by hand&lt;\/i&gt;/);
  assert.match(endpoints, />Re-enable</);
  const enabled = await post(t.handler, "/endpoints/enable", {
    csrf,
    endpoint: HOSTILE_ENDPOINT,
  }, { cookie });
  assert.equal(
    enabled.headers.get("location"),
    `${BASE}/endpoints?done=enabled`,
  );
  assert.equal(
    (await t.queue.endpoints()).find((e) => e.endpoint === HOSTILE_ENDPOINT)
      ?.status,
    "active",
  );
  const logout = await post(t.handler, "/logout", { csrf }, { cookie });
  assert.match(
    logout.headers.get("set-cookie") ?? "",
    /^webhook_dashboard=; .*Max-Age=0/,
  );
});

Deno.test("dashboard: lists filter by status and endpoint and page with the store's cursor", async () => {
  await using queue = new WebhookQueue({ logger: silentLogger });
  for (let index = 0; index < 120; index++) {
    await queue.enqueue(
      `https://receiver.example/${index % 2 ? "odd" : "even"}`,
      { index },
      { id: `m${String(index).padStart(3, "0")}` },
    );
  }
  const handler = createDashboard(queue, { token: TOKEN });
  const page = async (path: string) => {
    const response = await handler(
      new Request(`${ORIGIN}${path}`, { headers: BEARER }),
    );
    assert.equal(response.status, 200, path);
    return await response.text();
  };
  const ids = (html: string) =>
    [...html.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
  const first = await page(
    "/messages?status=pending&endpoint=https%3A%2F%2Freceiver.example%2Fodd",
  );
  assert.equal(ids(first).length, 50);
  assert.equal(ids(first)[0], "m001");
  const next = /rel="next" href="([^"]+)"/.exec(first)?.[1]?.replaceAll(
    "&amp;",
    "&",
  );
  assert.ok(next);
  const second = await page(next);
  assert.deepEqual(ids(second).slice(0, 2), ["m101", "m103"]);
  assert.equal(ids(second).length, 10);
  assert.doesNotMatch(second, /rel="next"/);
  assert.deepEqual(ids(await page("/messages?status=dead")), []);
  const bad = await handler(
    new Request(`${ORIGIN}/messages?status=lost`, { headers: BEARER }),
  );
  assert.equal(bad.status, 400);
  await bad.body?.cancel();
  const badCursor = await handler(
    new Request(`${ORIGIN}/messages?cursor=%00`, { headers: BEARER }),
  );
  assert.equal(badCursor.status, 400);
  await badCursor.body?.cancel();
});

Deno.test("dashboard: options are checked", async () => {
  await using queue = new WebhookQueue({ logger: silentLogger });
  assert.throws(() => createDashboard(queue, { token: "short" }), RangeError);
  assert.throws(
    () => createDashboard(queue, { token: undefined as unknown as string }),
    TypeError,
  );
  for (const basePath of ["no-slash", "/a;Secure", "/a b", "/a,b", `/"x"`]) {
    assert.throws(
      () => createDashboard(queue, { token: TOKEN, basePath }),
      TypeError,
      basePath,
    );
  }
  for (const basePath of ["", "/", "/ops/webhooks", "/ops/webhooks/"]) {
    createDashboard(queue, { token: TOKEN, basePath });
  }
  assert.throws(
    () => createDashboard(queue, { token: TOKEN, refreshMs: -1 }),
    RangeError,
  );
});
