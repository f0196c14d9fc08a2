import assert from "node:assert/strict";
import { type FetchFunction, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { useFakeTime } from "./_fake_time.ts";
import { startStubServer } from "./_stub_server.ts";

/** Counts the requests the service starts, the moment it starts them. */
function countingFetch(): FetchFunction & { calls: number } {
  const counted = Object.assign(
    (url: string, init: RequestInit) => {
      counted.calls++;
      return fetch(url, init);
    },
    { calls: 0 },
  );
  return counted;
}

/**
 * Steps fake time through one wait: no request 1 ms before it ends, one
 * request when it ends.
 */
async function assertWaitOf(
  clock: ReturnType<typeof useFakeTime>,
  fetch: { calls: number },
  delayMs: number,
): Promise<void> {
  const before = fetch.calls;
  await clock.tickAsync(delayMs - 1);
  assert.equal(
    fetch.calls,
    before,
    `no request ${delayMs - 1} ms into the wait`,
  );
  await clock.tickAsync(1);
  assert.equal(
    fetch.calls,
    before + 1,
    `a request ${delayMs} ms into the wait`,
  );
}

Deno.test("deliver() waits exactly 1000, 2000 and 4000 ms before its retries", async () => {
  await using server = startStubServer([{ status: 500 }]);
  using clock = useFakeTime();
  const logger = captureLogger();
  const fetch = countingFetch();
  const service = new WebhookDeliveryService({ logger, fetch });

  const delivery = service.send(server.url, {});
  for (const [index, delayMs] of [1_000, 2_000, 4_000].entries()) {
    // The warn record is logged just before the wait starts.
    await logger.waitForRecords(index + 1);
    assert.equal(logger.records[index]?.fields.retryInMs, delayMs);
    await assertWaitOf(clock, fetch, delayMs);
    await server.waitForRequests(index + 2);
  }
  const result = await delivery;

  assert.equal(result.outcome, "exhausted");
  assert.equal(server.requests.length, 4);
  assert.deepEqual(result.attempts.map((a) => a.retryInMs), [
    1_000,
    2_000,
    4_000,
    undefined,
  ]);
});

Deno.test("deliver() waits for Retry-After seconds when longer than the schedule", async () => {
  await using server = startStubServer([
    { status: 503, headers: { "retry-after": "3" } },
    { status: 200 },
  ]);
  using clock = useFakeTime();
  const logger = captureLogger();
  const fetch = countingFetch();
  const service = new WebhookDeliveryService({ logger, fetch });

  const delivery = service.send(server.url, {});
  await logger.waitForRecords(1);
  await assertWaitOf(clock, fetch, 3_000);
  const result = await delivery;

  assert.equal(result.outcome, "delivered");
  assert.equal(result.attempts[0]?.retryInMs, 3_000);
  assert.equal(server.requests.length, 2);
});

Deno.test("deliver() waits until a Retry-After HTTP date", async () => {
  using clock = useFakeTime();
  const retryAt = new Date(Date.now() + 5_000).toUTCString();
  await using server = startStubServer([
    { status: 503, headers: { "retry-after": retryAt } },
    { status: 200 },
  ]);
  const logger = captureLogger();
  const fetch = countingFetch();
  const service = new WebhookDeliveryService({ logger, fetch });

  const delivery = service.send(server.url, {});
  await logger.waitForRecords(1);
  // Fake time stood still while the response crossed the real socket.
  assert.equal(logger.records[0]?.fields.retryInMs, 5_000);
  await assertWaitOf(clock, fetch, 5_000);
  assert.equal((await delivery).outcome, "delivered");
});

Deno.test("deliver() caps Retry-After at maxRetryAfterMs", async () => {
  await using server = startStubServer([
    { status: 503, headers: { "retry-after": "120" } },
    { status: 200 },
  ]);
  using clock = useFakeTime();
  const logger = captureLogger();
  const fetch = countingFetch();
  const service = new WebhookDeliveryService({
    logger,
    fetch,
    maxRetryAfterMs: 5_000,
  });

  const delivery = service.send(server.url, {});
  await logger.waitForRecords(1);
  await assertWaitOf(clock, fetch, 5_000);
  const result = await delivery;

  assert.equal(result.attempts[0]?.retryInMs, 5_000);
  assert.equal(result.outcome, "delivered");
});

Deno.test("deliver() keeps the schedule when Retry-After is shorter or unreadable", async () => {
  await using server = startStubServer([
    { status: 503, headers: { "retry-after": "0" } },
    { status: 503, headers: { "retry-after": "soon" } },
    { status: 200 },
  ]);
  using clock = useFakeTime();
  const logger = captureLogger();
  const fetch = countingFetch();
  const service = new WebhookDeliveryService({ logger, fetch });

  const delivery = service.send(server.url, {});
  await logger.waitForRecords(1);
  await assertWaitOf(clock, fetch, 1_000);
  await logger.waitForRecords(2);
  await assertWaitOf(clock, fetch, 2_000);

  assert.equal((await delivery).outcome, "delivered");
});

Deno.test("deliver() with jitter 0.5 waits between half and all of each delay", async () => {
  await using server = startStubServer([{ status: 500 }, { status: 500 }, {
    status: 200,
  }]);
  using clock = useFakeTime();
  const logger = captureLogger();
  const fetch = countingFetch();
  const random = Math.random;
  const draws = [0, 0.999];
  Math.random = () => draws.shift() ?? 0.5;
  try {
    const service = new WebhookDeliveryService({ logger, fetch, jitter: 0.5 });

    const delivery = service.send(server.url, {});
    await logger.waitForRecords(1);
    await assertWaitOf(clock, fetch, 1_000); // random 0: nothing cut
    await logger.waitForRecords(2);
    await assertWaitOf(clock, fetch, 1_001); // random 0.999: half cut

    const result = await delivery;
    assert.deepEqual(result.attempts.map((a) => a.retryInMs), [
      1_000,
      1_001,
      undefined,
    ]);
  } finally {
    Math.random = random;
  }
});
