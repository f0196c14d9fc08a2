import assert from "node:assert/strict";
import { createJsonLogger, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { VECTORS } from "./_signing.ts";
import { startStubServer, unusedPort } from "./_stub_server.ts";

const [FIRST, SECOND] = VECTORS;

Deno.test("no log line of a signed, failing, credential-bearing delivery holds a secret", async () => {
  await using server = startStubServer([
    { status: 500, body: "try again" },
    {
      status: 302,
      headers: { location: "https://login.example/?session=s3ss10n" },
    },
  ]);
  const lines: string[] = [];
  const service = new WebhookDeliveryService({
    secret: [FIRST.secret, SECOND.secret],
    retryDelaysMs: [0],
    headers: { "x-api-key": "k3y-from-options" },
    logger: createJsonLogger({
      level: "debug",
      write: (line) => lines.push(line),
    }),
  });
  const credentials = "hookuser:pa55w0rd-in-url";
  const query = "?token=t0ken-in-query&sig=s1g-in-query&flag";
  const receiving = new URL(server.url);
  const refused = new URL(`http://127.0.0.1:${unusedPort()}/hook`);

  const first = await service.send(
    `http://${credentials}@${receiving.host}${receiving.pathname}${query}`,
    { event_type: "task.failed" },
    { headers: { "x-tenant-token": "t3nant-header" } },
  );
  const second = await service.send(
    `http://${credentials}@${refused.host}${refused.pathname}${query}#fr4gment`,
    { event_type: "task.failed" },
  );

  assert.equal(first.outcome, "rejected");
  assert.equal(second.outcome, "exhausted");
  assert.equal(second.attempts[0]?.error?.kind, "connection_refused");
  assert.equal(lines.length, 4);
  const sent = server.requests.flatMap((request) => [
    request.headers.get("authorization") ?? "",
    ...(request.headers.get("webhook-signature") ?? "").split(/[ ,]/),
  ]).filter((value) => value.length > 3 && value !== "Basic");
  // Per request: the authorization header and two signatures.
  assert.equal(sent.length, 2 * 3);
  const secrets = [
    ...[FIRST.secret, SECOND.secret],
    ...[FIRST.secret, SECOND.secret].map((s) => s.slice("whsec_".length)),
    "pa55w0rd",
    "hookuser",
    btoa(credentials),
    "t0ken-in-query",
    "s1g-in-query",
    "k3y-from-options",
    "t3nant-header",
    "s3ss10n",
    "fr4gment",
    ...sent,
  ];
  for (const line of lines) {
    for (const secret of secrets) {
      assert.ok(!line.includes(secret), `a log line holds ${secret}: ${line}`);
    }
  }
  const records = lines.map((line) => JSON.parse(line));
  assert.deepEqual(records.map((r) => r.url), [
    `${receiving.origin}/hook?token=REDACTED&sig=REDACTED&REDACTED`,
    `${receiving.origin}/hook?token=REDACTED&sig=REDACTED&REDACTED`,
    `${refused.origin}/hook?token=REDACTED&sig=REDACTED&REDACTED`,
    `${refused.origin}/hook?token=REDACTED&sig=REDACTED&REDACTED`,
  ]);
  assert.equal(records[1]?.location, "https://login.example/?session=REDACTED");
});

Deno.test("redaction is for logs only: the request keeps its query, credentials and headers", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const requested: string[] = [];
  const service = new WebhookDeliveryService({
    secret: FIRST.secret,
    logger: captureLogger(),
    fetch: (url, init) => {
      requested.push(url);
      return fetch(url, init);
    },
  });
  const url = new URL(server.url);
  url.username = "hookuser";
  url.password = "pa55w0rd";
  url.search = "?token=t0ken";

  await service.deliver(url, {}, { headers: { "x-api-key": "k3y" } });

  assert.deepEqual(requested, [`${server.url}?token=t0ken`]);
  const [request] = server.requests;
  assert.equal(request?.headers.get("x-api-key"), "k3y");
  assert.equal(
    request?.headers.get("authorization"),
    `Basic ${btoa("hookuser:pa55w0rd")}`,
  );
  assert.match(request?.headers.get("webhook-signature") ?? "", /^v1,/);
});

const loggedUrls: [string, string][] = [
  [
    "http://hooks.example/in?a=1&b=two",
    "http://hooks.example/in?a=REDACTED&b=REDACTED",
  ],
  [
    "http://hooks.example/in?empty=&bare",
    "http://hooks.example/in?empty=&REDACTED",
  ],
  [
    "http://hooks.example/in?a%20b=c%20d",
    "http://hooks.example/in?a%20b=REDACTED",
  ],
  ["http://hooks.example/in?", "http://hooks.example/in?"],
  ["http://hooks.example/in#token=abc", "http://hooks.example/in"],
  ["http://u:p@hooks.example/in?t=abc#x", "http://hooks.example/in?t=REDACTED"],
];

for (const [url, logged] of loggedUrls) {
  Deno.test(`the URL ${url} is logged as ${logged}`, async () => {
    const logger = captureLogger();
    const service = new WebhookDeliveryService({
      logger,
      retryDelaysMs: [],
      fetch: () => Promise.resolve(new Response(null, { status: 204 })),
    });

    await service.send(url, {});

    assert.equal(logger.records[0]?.fields.url, logged);
  });
}

Deno.test("an invalid URL is logged with its query values redacted too", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  await service.send("ftp://files.example/in?token=t0ken#frag", {});
  await service.send("http://user:pw@exa mple/in?token=t0ken&x=1", {});

  assert.deepEqual(logger.records.map((r) => r.fields.url), [
    "ftp://files.example/in?token=REDACTED",
    "http://exa mple/in?token=REDACTED&x=REDACTED",
  ]);
});

Deno.test("a network error that quotes the request URL is logged without its query values", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    logger,
    retryDelaysMs: [],
    fetch: (url) =>
      Promise.reject(
        new TypeError("fetch failed", {
          cause: new Error(
            `error sending request for url (${url}): Connection refused`,
          ),
        }),
      ),
  });

  const result = await service.send(
    "http://hooks.example/in?token=t0ken-in-query",
    {},
  );

  assert.equal(result.attempts[0]?.error?.kind, "connection_refused");
  assert.equal(
    logger.records[0]?.fields.error,
    "fetch failed: error sending request for url (http://hooks.example/in?token=REDACTED): Connection refused",
  );
});

for (
  const url of [
    "http://alice:pa#ss@hooks.example/hook",
    "http://alice:pa?ss@hooks.example/hook",
    "http://alice:pa/ss@hooks.example/hook",
  ]
) {
  Deno.test(`the password of an unparseable URL stays out of the log: ${url}`, async () => {
    const lines: string[] = [];
    const service = new WebhookDeliveryService({
      logger: createJsonLogger({ write: (line) => lines.push(line) }),
    });

    const result = await service.send(url, {});

    assert.equal(result.outcome, "invalid");
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0] ?? "", /pa.ss|alice/);
  });
}

Deno.test("the DeliveryResult of an invalid or blocked delivery quotes URLs as the log does", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    logger,
    blockPrivateNetworks: true,
    resolveHost: () =>
      Promise.reject(
        new Error("lookup via https://dns.example/q?key=s3cret failed"),
      ),
  });
  const payload = {
    toJSON() {
      throw new Error("cannot fetch https://cms.example/doc?token=t0ken");
    },
  };

  const invalid = await service.send("https://hooks.example/in", payload);
  const blocked = await service.send("https://hooks.example/in", {});

  assert.equal(invalid.error?.kind, "invalid_payload");
  assert.equal(
    invalid.error?.message,
    "The payload cannot be serialized to JSON: cannot fetch https://cms.example/doc?token=REDACTED",
  );
  assert.equal(blocked.error?.kind, "blocked_destination");
  assert.match(blocked.error?.message ?? "", /dns\.example\/q\?key=REDACTED/);
  assert.doesNotMatch(blocked.error?.message ?? "", /s3cret/);
  assert.deepEqual(
    logger.records.map((r) => r.fields.error),
    [invalid.error?.message, blocked.error?.message],
  );
});
