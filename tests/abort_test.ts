import assert from "node:assert/strict";
import { WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("aborting during a request ends the delivery at once as aborted", async () => {
  await using server = startStubServer([{ hang: true }]);
  const logger = captureLogger();
  // A long timeout: only the abort can end this attempt in time.
  const service = new WebhookDeliveryService({ timeoutMs: 60_000, logger });
  const controller = new AbortController();

  const delivery = service.send(server.url, {}, { signal: controller.signal });
  await server.waitForRequests(1);
  controller.abort(new Error("shutting down"));
  const result = await delivery;

  // Against 60 s if the abort were missed: a bound on what happened, not
  // on speed.
  assert.ok(result.durationMs < 10_000, `took ${result.durationMs} ms`);
  assert.equal(result.outcome, "aborted");
  assert.equal(result.attempts.length, 1);
  assert.equal(result.attempts[0]?.error?.kind, "aborted");
  assert.match(result.attempts[0]?.error?.message ?? "", /shutting down/);
  assert.equal(server.requests.length, 1);
  assert.deepEqual(logger.records.map((r) => [r.level, r.fields.outcome]), [
    ["error", "aborted"],
  ]);
});

Deno.test("aborting during the wait before a retry ends the delivery at once", async () => {
  await using server = startStubServer([{ status: 503 }]);
  const logger = captureLogger();
  // A long wait: only the abort can end it, and a leaked timer would fail
  // the test's sanitizer.
  const service = new WebhookDeliveryService({
    retryDelaysMs: [60_000],
    logger,
  });
  const controller = new AbortController();

  const delivery = service.send(server.url, {}, { signal: controller.signal });
  await logger.waitForRecords(1);
  controller.abort();
  const result = await delivery;

  // Against 60 s if the abort were missed: a bound on what happened, not
  // on speed.
  assert.ok(result.durationMs < 10_000, `took ${result.durationMs} ms`);
  assert.equal(result.outcome, "aborted");
  assert.equal(result.error?.kind, "aborted");
  assert.equal(result.attempts.length, 1);
  assert.equal(result.attempts[0]?.retryInMs, 60_000);
  assert.equal(server.requests.length, 1);
  assert.deepEqual(
    logger.records.map((r) => [r.level, r.fields.outcome, r.fields.attempt]),
    [["warn", "retrying", 1], ["error", "aborted", 1]],
  );
});

Deno.test("an already aborted signal sends nothing", async () => {
  await using server = startStubServer();
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  const result = await service.send(server.url, {}, {
    signal: AbortSignal.abort(),
  });

  assert.equal(result.outcome, "aborted");
  assert.deepEqual(result.attempts, []);
  assert.equal(server.requests.length, 0);
  assert.deepEqual(
    logger.records.map((r) => [r.level, r.fields.outcome, r.fields.attempt]),
    [["error", "aborted", 0]],
  );
});

Deno.test("aborting while the response body is arriving ends the delivery at once", async () => {
  await using server = startStubServer([{ status: 200, stallBody: true }]);
  const logger = captureLogger();
  const responded = Promise.withResolvers<void>();
  const service = new WebhookDeliveryService({
    timeoutMs: 60_000,
    logger,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      responded.resolve();
      return response;
    },
  });
  const controller = new AbortController();

  const delivery = service.send(server.url, {}, { signal: controller.signal });
  await responded.promise;
  controller.abort();
  const result = await delivery;

  // Against 60 s if the abort were missed: a bound on what happened, not
  // on speed.
  assert.ok(result.durationMs < 10_000, `took ${result.durationMs} ms`);
  assert.equal(result.outcome, "aborted");
  assert.equal(result.attempts[0]?.error?.kind, "aborted");
  assert.equal(server.requests.length, 1);
});
