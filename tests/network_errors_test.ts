import assert from "node:assert/strict";
import { WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer, unusedPort } from "./_stub_server.ts";

Deno.test("deliver() retries a refused connection and resolves false", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    retryDelaysMs: [0, 0],
    logger,
  });

  const result = await service.send(`http://127.0.0.1:${unusedPort()}/hook`, {
    event_type: "task.failed",
  });

  assert.equal(result.ok, false);
  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts.length, 3);
  assert.ok(
    result.attempts.every((a) => a.error?.kind === "connection_refused"),
  );
  assert.deepEqual(logger.records.map((r) => [r.level, r.fields.errorKind]), [
    ["warn", "connection_refused"],
    ["warn", "connection_refused"],
    ["error", "connection_refused"],
  ]);
});

Deno.test("deliver() reports a host that does not resolve as dns", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });

  const result = await service.send("http://nowhere.invalid/hook", {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts.length, 2);
  assert.equal(result.attempts[0]?.error?.kind, "dns");
  assert.equal(logger.records.at(-1)?.fields.errorKind, "dns");
});

Deno.test("deliver() retries a connection reset in the middle of a response", async () => {
  await using server = startStubServer([
    { status: 200, reset: true },
    { status: 200 },
  ]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "delivered");
  assert.equal(server.requests.length, 2);
  assert.equal(result.attempts[0]?.error?.kind, "connection_reset");
  assert.equal(logger.records[0]?.level, "warn");
});

Deno.test("deliver() reports a TLS handshake with a plain HTTP server as tls", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [], logger });

  const result = await service.send(
    `https://127.0.0.1:${server.port}/hook`,
    {},
  );

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.error?.kind, "tls");
});

Deno.test("a connection closed before any response is connection_reset, whatever the URL says", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closer = (async () => {
    for await (const connection of listener) {
      // Read the start of the request, then hang up without a word.
      await connection.read(new Uint8Array(1024));
      connection.close();
    }
  })();
  try {
    const logger = captureLogger();
    const service = new WebhookDeliveryService({ retryDelaysMs: [], logger });

    // "tls" and "ssl" in the URL must not sway the classification.
    const result = await service.send(
      `http://127.0.0.1:${listener.addr.port}/ssl/tls-hook`,
      {},
    );

    assert.equal(result.attempts[0]?.error?.kind, "connection_reset");
  } finally {
    listener.close();
    await closer;
  }
});
