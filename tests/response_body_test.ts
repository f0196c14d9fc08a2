import assert from "node:assert/strict";
import { WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("an endless 500 body is cut short: the attempt ends with its status, not a timeout", async () => {
  await using server = startStubServer([{
    status: 500,
    streamBytes: Infinity,
  }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    retryDelaysMs: [],
    timeoutMs: 30_000,
    logger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.status, 500);
  assert.equal(result.attempts[0]?.error, undefined);
  const excerpt = logger.records[0]?.fields.responseExcerpt;
  assert.equal(typeof excerpt, "string");
  assert.equal((excerpt as string).length, 500);
  // The client cancelled the body; the server sent a bounded amount, not
  // the endless stream it offered.
  while (!server.streamed.cancelled) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(
    server.streamed.bytes < 16 * 1024 * 1024,
    `sent ${server.streamed.bytes}`,
  );
});

Deno.test("a multi-megabyte 503 body is cancelled after the first 64 KiB and retried", async () => {
  await using server = startStubServer([
    { status: 503, streamBytes: 8 * 1024 * 1024 },
    { status: 200 },
  ]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "delivered");
  assert.deepEqual(result.attempts.map((a) => a.status), [503, 200]);
  assert.ok(String(logger.records[0]?.fields.responseExcerpt).length <= 500);
});

Deno.test("a failed response's body is logged as an excerpt of at most 500 characters", async () => {
  await using server = startStubServer([
    { status: 422, body: JSON.stringify({ error: "unknown event_type" }) },
  ]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  await service.send(server.url, {});

  assert.equal(
    logger.records[0]?.fields.responseExcerpt,
    '{"error":"unknown event_type"}',
  );
});

Deno.test("a delivered response's body is read but not logged", async () => {
  await using server = startStubServer([{ status: 200, body: "thanks" }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  await service.send(server.url, {});

  assert.equal(logger.records[0]?.level, "info");
  assert.equal(logger.records[0]?.fields.responseExcerpt, undefined);
});
