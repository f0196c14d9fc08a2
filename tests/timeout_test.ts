import assert from "node:assert/strict";
import {
  DEFAULT_TIMEOUT_MS,
  silentLogger,
  WebhookDeliveryService,
} from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("an attempt to a receiver that never answers ends as timeout and is retried", async () => {
  await using server = startStubServer([{ hang: true }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    timeoutMs: 200,
    retryDelaysMs: [0],
    logger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(server.requests.length, 2);
  assert.deepEqual(result.attempts.map((a) => a.error?.kind), [
    "timeout",
    "timeout",
  ]);
  assert.deepEqual(logger.records.map((r) => r.fields.errorKind), [
    "timeout",
    "timeout",
  ]);
});

Deno.test("an attempt whose response body stalls after the headers ends as timeout", async () => {
  await using server = startStubServer([{ status: 200, stallBody: true }]);
  const service = new WebhookDeliveryService({
    timeoutMs: 200,
    retryDelaysMs: [0],
    logger: silentLogger,
  });

  const result = await service.send(server.url, {});

  // The 200 never finished arriving, so nobody can say it was delivered.
  assert.equal(result.ok, false);
  assert.equal(result.outcome, "exhausted");
  assert.equal(server.requests.length, 2);
  assert.deepEqual(result.attempts.map((a) => a.error?.kind), [
    "timeout",
    "timeout",
  ]);
  assert.equal(result.attempts[0]?.status, undefined);
});

Deno.test("a default service gives each attempt DEFAULT_TIMEOUT_MS (10 000 ms)", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const asked: number[] = [];
  const timeout = AbortSignal.timeout;
  AbortSignal.timeout = (ms: number) => {
    asked.push(ms);
    return timeout.call(AbortSignal, ms);
  };
  try {
    const ok = await new WebhookDeliveryService({ logger: silentLogger })
      .deliver(server.url, {});
    assert.equal(ok, true);
  } finally {
    AbortSignal.timeout = timeout;
  }

  assert.equal(DEFAULT_TIMEOUT_MS, 10_000);
  assert.deepEqual(asked, [10_000]);
});

Deno.test("a custom fetch that ignores the signal still times out", async () => {
  const never = Promise.withResolvers<Response>();
  const service = new WebhookDeliveryService({
    timeoutMs: 100,
    retryDelaysMs: [],
    logger: silentLogger,
    fetch: () => never.promise,
  });

  const result = await service.send("http://127.0.0.1:9/hook", {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.error?.kind, "timeout");
});

Deno.test("a response body that ignores the signal still times out, and is cancelled", async () => {
  let cancelled = false;
  const service = new WebhookDeliveryService({
    timeoutMs: 100,
    retryDelaysMs: [],
    logger: silentLogger,
    fetch: () =>
      Promise.resolve(
        new Response(
          new ReadableStream({
            cancel() {
              cancelled = true;
            },
          }),
          // A short length must not tempt the service into an uncancellable
          // one-call read of a body it does not control.
          { headers: { "content-length": "10" } },
        ),
      ),
  });

  const result = await service.send("http://127.0.0.1:9/hook", {});

  assert.equal(result.attempts[0]?.error?.kind, "timeout");
  assert.equal(cancelled, true);
});
