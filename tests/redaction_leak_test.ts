/**
 * End to end, through the runtime's own errors and a live receiver: a
 * secret of the webhook URL (query token, password) or of a redirect's
 * `Location` appears in no log record and not in the JSON of the result.
 */
import assert from "node:assert/strict";
import { type DeliveryResult, WebhookDeliveryService } from "../mod.ts";
import { type CapturedRecord, captureLogger } from "./_capture_logger.ts";
import { startStubServer, unusedPort } from "./_stub_server.ts";

function assertNowhere(
  secret: string,
  result: DeliveryResult,
  records: readonly CapturedRecord[],
): void {
  assert.ok(records.length > 0);
  for (const record of records) {
    assert.ok(
      !JSON.stringify(record).includes(secret),
      `${secret} in ${JSON.stringify(record)}`,
    );
  }
  assert.ok(
    !JSON.stringify(result).includes(secret),
    `${secret} in ${JSON.stringify(result)}`,
  );
}

const TOKEN = "t0kenS3cret";

const hosts: [string, () => string, string][] = [
  ["a closed port", () => `127.0.0.1:${unusedPort()}`, "connection_refused"],
  ["a host that does not resolve", () => "nowhere.invalid", "dns"],
];

for (const [name, host, kind] of hosts) {
  Deno.test(`the runtime's error for ${name} quotes the URL without its query token`, async () => {
    const logger = captureLogger();
    const service = new WebhookDeliveryService({ logger, retryDelaysMs: [] });
    const url = `http://${host()}/a(b)/c)?token=${TOKEN}(x)&next=(${TOKEN})`;

    const result = await service.send(url, {});

    assert.equal(result.attempts[0]?.error?.kind, kind);
    // The runtime's message did quote the URL: the redaction had work to do.
    assert.match(result.attempts[0]?.error?.message ?? "", /REDACTED/);
    assertNowhere(TOKEN, result, logger.records);
  });
}

const PASSWORD = "pa55w0rdS3cret";

const unparseable = [
  `http:/user:${PASSWORD}@hooks.example:99999/`,
  `http:user:${PASSWORD}@hooks.example:99999/`,
  `https:user:${PASSWORD}@hooks.example:99999/in?token=${TOKEN}`,
  `http:\\\\user:${PASSWORD}@hooks.example:99999/`,
  `http:/\\user:${PASSWORD}@hooks.example:99999\\`,
  `http:\\user:${PASSWORD}@hooks.example:99999\\in`,
  `HTTP:user:${PASSWORD}@hooks.example:99999/`,
];

for (const url of unparseable) {
  Deno.test(`an unparseable URL with credentials leaks no password: ${url}`, async () => {
    const logger = captureLogger();
    const service = new WebhookDeliveryService({ logger });

    const result = await service.send(url, {});

    assert.equal(result.outcome, "invalid");
    assert.equal(result.error?.kind, "invalid_url");
    assertNowhere(PASSWORD, result, logger.records);
    assertNowhere(TOKEN, result, logger.records);
  });
}

const locations = [
  `//user:${PASSWORD}@elsewhere.example/x`,
  `http://user:${PASSWORD}@elsewhere.example/x`,
  `https:user:${PASSWORD}@elsewhere.example/x`,
  `/moved?token=${PASSWORD}`,
  `http://elsewhere.example:99999/x?token=${PASSWORD}`,
];

for (const location of locations) {
  Deno.test(`a redirect to ${location} is logged without its secret`, async () => {
    await using server = startStubServer([{
      status: 302,
      headers: { location },
    }]);
    const logger = captureLogger();
    const service = new WebhookDeliveryService({ logger });

    const result = await service.send(server.url, {});

    assert.equal(result.outcome, "rejected");
    assert.equal(result.attempts[0]?.status, 302);
    assert.equal(typeof logger.records[0]?.fields.location, "string");
    assertNowhere(PASSWORD, result, logger.records);
  });
}

Deno.test("a password of a URL that fails to connect is in no record nor result", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger, retryDelaysMs: [0] });

  const result = await service.send(
    `http://user:${PASSWORD}@127.0.0.1:${unusedPort()}/(in)?token=${TOKEN}`,
    {},
  );

  assert.equal(result.outcome, "exhausted");
  assertNowhere(PASSWORD, result, logger.records);
  assertNowhere(TOKEN, result, logger.records);
});
