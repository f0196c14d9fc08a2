import assert from "node:assert/strict";
import { type DeliveryErrorKind, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

const invalidPayloads: [string, unknown][] = [
  ["undefined", undefined],
  ["a function", () => {}],
  ["a symbol", Symbol("event")],
  ["a BigInt", { amount: 10n }],
  ["a cycle", cyclic],
  ["a throwing toJSON", {
    toJSON() {
      throw new Error("no JSON for you");
    },
  }],
];

for (const [name, payload] of invalidPayloads) {
  Deno.test(`deliver() sends nothing and logs one error for ${name} as payload`, async () => {
    await using server = startStubServer();
    const logger = captureLogger();
    const service = new WebhookDeliveryService({ logger });

    const result = await service.send(server.url, payload);

    assert.equal(result.ok, false);
    assert.equal(result.outcome, "invalid");
    assert.equal(result.error?.kind, "invalid_payload");
    assert.deepEqual(result.attempts, []);
    assert.equal(server.requests.length, 0);
    assert.equal(logger.records.length, 1);
    assert.equal(logger.records[0]?.level, "error");
    assert.equal(logger.records[0]?.fields.errorKind, "invalid_payload");
    assert.equal(logger.records[0]?.fields.outcome, "invalid");
  });
}

const invalidUrls = [
  "",
  "not a url",
  "/relative/path",
  "ftp://127.0.0.1/hook",
  "file:///etc/passwd",
  "javascript:alert(1)",
  "http://",
];

for (const url of invalidUrls) {
  Deno.test(`deliver() sends nothing and logs one error for the URL ${JSON.stringify(url)}`, async () => {
    const logger = captureLogger();
    let fetched = 0;
    const service = new WebhookDeliveryService({
      logger,
      fetch: () => {
        fetched++;
        return Promise.resolve(new Response(null, { status: 204 }));
      },
    });

    const ok = await service.deliver(url, { event_type: "task.completed" });

    assert.equal(ok, false);
    assert.equal(fetched, 0);
    assert.equal(logger.records.length, 1);
    assert.equal(logger.records[0]?.level, "error");
    assert.equal(logger.records[0]?.fields.errorKind, "invalid_url");
  });
}

Deno.test("an invalid URL is logged without its credentials", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  await service.deliver("ftp://admin:hunter2@files.example/hook", {});
  await service.deliver("http://admin:hunter2@exa mple/hook", {});

  assert.deepEqual(logger.records.map((r) => r.fields.errorKind), [
    "invalid_url",
    "invalid_url",
  ]);
  for (const record of logger.records) {
    assert.doesNotMatch(JSON.stringify(record), /hunter2/);
  }
});

const invalidSendOptions: [string, DeliveryErrorKind, object][] = [
  ["an empty id", "invalid_id", { id: "" }],
  ["an id with a dot", "invalid_id", { id: "msg.1" }],
  ["an id with a newline", "invalid_id", { id: "msg\n1" }],
  ["a header with a bad name", "invalid_headers", {
    headers: { "bad name": "x" },
  }],
  ["a reserved header", "invalid_headers", {
    headers: { "Content-Type": "text/plain" },
  }],
  ["a webhook-id header", "invalid_headers", {
    headers: { "webhook-id": "other" },
  }],
  ["any other webhook-* header", "invalid_headers", {
    headers: { "Webhook-Version": "2" },
  }],
];

for (const [name, kind, options] of invalidSendOptions) {
  Deno.test(`send() sends nothing for ${name}`, async () => {
    await using server = startStubServer();
    const logger = captureLogger();
    const service = new WebhookDeliveryService({ logger });

    const result = await service.send(server.url, {}, options);

    assert.equal(result.outcome, "invalid");
    assert.equal(result.error?.kind, kind);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(logger.records.map((r) => r.fields.errorKind), [kind]);
  });
}

for (const name of ["connection", "transfer-encoding", "host", "expect"]) {
  Deno.test(`the connection header ${name} is refused alike on every runtime`, async () => {
    assert.throws(
      () => new WebhookDeliveryService({ headers: { [name]: "x" } }),
      new RegExp(`cannot set '${name}'`),
    );
    await using server = startStubServer();
    const logger = captureLogger();
    const result = await new WebhookDeliveryService({ logger }).send(
      server.url,
      {},
      { headers: { [name]: "x" } },
    );
    assert.equal(result.error?.kind, "invalid_headers");
    assert.equal(server.requests.length, 0);
  });
}

Deno.test("untyped callers passing null options or an unprintable URL get invalid, not a rejection", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService(
    null as unknown as Record<string, never>,
  );
  const quiet = new WebhookDeliveryService({ logger });

  const unprintable = await quiet.send(
    Object.create(null) as unknown as string,
    {},
  );
  const nullOptions = await quiet.send(
    "not a url",
    {},
    null as unknown as Record<string, never>,
  );

  assert.ok(service instanceof WebhookDeliveryService);
  assert.equal(unprintable.outcome, "invalid");
  assert.equal(unprintable.error?.kind, "invalid_url");
  assert.equal(nullOptions.outcome, "invalid");
  assert.equal(logger.records.length, 2);
});

const badOptions: [string, object, RegExp][] = [
  ["timeoutMs", { timeoutMs: -1 }, /'timeoutMs'.*current value is -1$/],
  ["timeoutMs", { timeoutMs: 0 }, /'timeoutMs'.*current value is 0$/],
  ["timeoutMs", { timeoutMs: NaN }, /'timeoutMs'.*current value is NaN$/],
  ["timeoutMs", { timeoutMs: Infinity }, /'timeoutMs'/],
  ["timeoutMs", { timeoutMs: 2 ** 31 }, /'timeoutMs'/],
  ["retryDelaysMs", { retryDelaysMs: [1, -2] }, /current value is \[1, -2\]$/],
  ["retryDelaysMs", { retryDelaysMs: [NaN] }, /'retryDelaysMs'/],
  ["retryDelaysMs", { retryDelaysMs: 3 }, /'retryDelaysMs'/],
  ["jitter", { jitter: 1.5 }, /'jitter' must be a number from 0 to 1/],
  ["jitter", { jitter: -0.1 }, /'jitter'/],
  ["jitter", { jitter: NaN }, /'jitter'/],
  ["maxRetryAfterMs", { maxRetryAfterMs: -5 }, /'maxRetryAfterMs'/],
];

for (const [option, options, message] of badOptions) {
  const value: unknown = Object.values(options)[0];
  Deno.test(
    `new WebhookDeliveryService() throws a RangeError for ${option}: ${
      Array.isArray(value) ? `[${value.join(", ")}]` : String(value)
    }`,
    () => {
      assert.throws(() => new WebhookDeliveryService(options), (error) => {
        assert.ok(error instanceof RangeError);
        assert.match(
          error.message,
          /^Cannot create WebhookDeliveryService as /,
        );
        assert.match(error.message, message);
        return true;
      });
    },
  );
}

const badShapes: [string, object, RegExp][] = [
  [
    "retryOnStatus",
    { retryOnStatus: 500 },
    /'retryOnStatus' must be a function/,
  ],
  ["fetch", { fetch: "fetch" }, /'fetch' must be a function/],
  ["logger", { logger: { info() {} } }, /missing debug, warn, error$/],
  ["headers", { headers: { "bad name": "x" } }, /not a valid HTTP token/],
  ["headers", { headers: { "webhook-id": "x" } }, /cannot set 'webhook-id'/],
];

for (const [option, options, message] of badShapes) {
  Deno.test(`new WebhookDeliveryService() throws a TypeError for a bad ${option}`, () => {
    assert.throws(() => new WebhookDeliveryService(options), (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, message);
      return true;
    });
  });
}

Deno.test("a TypeError for a bad header value does not print the value", () => {
  assert.throws(
    () =>
      new WebhookDeliveryService({
        headers: { authorization: "Bearer s3cret\r\nx: y" },
      }),
    (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /the value of 'authorization' is not valid/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    },
  );
});

Deno.test("a signal that is not an AbortSignal is invalid_signal, not a rejection", async () => {
  await using server = startStubServer();
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  const result = await service.send(server.url, {}, {
    signal: {} as unknown as AbortSignal,
  });

  assert.equal(result.outcome, "invalid");
  assert.equal(result.error?.kind, "invalid_signal");
  assert.equal(server.requests.length, 0);
  assert.equal(logger.records.length, 1);
});
