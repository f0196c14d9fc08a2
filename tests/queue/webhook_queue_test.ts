import assert from "node:assert/strict";
import {
  MemoryStore,
  silentLogger,
  WebhookQueue,
  type WebhookQueueEvent,
  WebhookVerifier,
} from "../../mod.ts";
import { captureLogger } from "../_capture_logger.ts";
import { eventually, hold, startReceiver } from "./_receiver.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function queueWith(
  options: ConstructorParameters<typeof WebhookQueue>[0] = {},
): WebhookQueue {
  return new WebhookQueue({
    logger: silentLogger,
    retryDelaysMs: [20, 20],
    jitter: 0,
    timeoutMs: 2_000,
    ...options,
  });
}

const statusOf = async (queue: WebhookQueue, id: string) =>
  (await queue.get(id))?.status;

Deno.test("WebhookQueue: an enqueued message reaches the receiver signed, with its id, and is recorded delivered", async () => {
  await using receiver = startReceiver();
  const logger = captureLogger();
  await using queue = queueWith({ secret: SECRET, logger });
  queue.start();
  const { id, duplicate } = await queue.enqueue(`${receiver.origin}/hook`, {
    event_type: "task.completed",
  }, { id: "evt_1" });
  assert.deepEqual({ id, duplicate }, { id: "evt_1", duplicate: false });
  await eventually(
    async () => (await statusOf(queue, id)) === "delivered",
    "delivered",
  );
  const [request] = receiver.received;
  assert.equal(request?.headers.get("webhook-id"), "evt_1");
  assert.equal(request?.body, '{"event_type":"task.completed"}');
  const verifier = new WebhookVerifier(SECRET);
  await verifier.verify(request!.body, request!.headers);
  const record = await queue.get(id);
  assert.equal(record?.attempts.length, 1);
  assert.equal(record?.attempts[0]?.status, 204);
  assert.equal(record?.url, `${receiver.origin}/hook`);
  const delivered = logger.records.find((r) =>
    r.message === "Webhook delivered"
  );
  assert.equal(delivered?.fields.webhookId, "evt_1");
  assert.equal(delivered?.fields.attempt, 1);
});

Deno.test("WebhookQueue: invalid input rejects and stores nothing", async () => {
  await using queue = queueWith({ maxPayloadBytes: 100 });
  await assert.rejects(queue.enqueue("ftp://example.test/", {}), TypeError);
  await assert.rejects(queue.enqueue("not a url", {}), TypeError);
  await assert.rejects(
    queue.enqueue("https://example.test/", undefined),
    TypeError,
  );
  await assert.rejects(queue.enqueue("https://example.test/", 10n), TypeError);
  await assert.rejects(
    queue.enqueue("https://example.test/", "x".repeat(200)),
    RangeError,
  );
  await assert.rejects(
    queue.enqueue("https://example.test/", {}, { id: "a.b" }),
    TypeError,
  );
  await assert.rejects(
    queue.enqueue("https://example.test/", {}, {
      headers: { "webhook-id": "x" },
    }),
    TypeError,
  );
  await assert.rejects(
    queue.enqueue("https://example.test/", {}, { endpoint: "" }),
    TypeError,
  );
  await assert.rejects(
    queue.enqueueMany([
      { url: "https://example.test/", payload: 1 },
      { url: "https://example.test/", payload: undefined },
    ]),
    /Item 1: /,
  );
  assert.equal((await queue.stats()).pending, 0);
});

Deno.test("WebhookQueue: an id enqueued twice is stored and delivered once", async () => {
  await using receiver = startReceiver();
  await using queue = queueWith();
  const first = await queue.enqueue(`${receiver.origin}/hook`, { n: 1 }, {
    id: "same",
  });
  const second = await queue.enqueue(`${receiver.origin}/hook`, { n: 2 }, {
    id: "same",
  });
  assert.deepEqual([first.duplicate, second.duplicate], [false, true]);
  queue.start();
  await eventually(
    async () => (await statusOf(queue, "same")) === "delivered",
    "delivered",
  );
  assert.equal(receiver.received.length, 1);
  assert.equal(receiver.received[0]?.body, '{"n":1}');
});

Deno.test("WebhookQueue: a failure is retried on the schedule with the same webhook-id, each attempt signed", async () => {
  let calls = 0;
  await using receiver = startReceiver(() =>
    new Response(null, { status: ++calls < 3 ? 503 : 200 })
  );
  const events: WebhookQueueEvent[] = [];
  await using queue = queueWith({
    secret: SECRET,
    onEvent: (e) => events.push(e),
  });
  queue.start();
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, { n: 1 });
  await eventually(
    async () => (await statusOf(queue, id)) === "delivered",
    "delivered",
  );
  assert.deepEqual(receiver.received.map((r) => r.headers.get("webhook-id")), [
    id,
    id,
    id,
  ]);
  const verifier = new WebhookVerifier(SECRET);
  for (const request of receiver.received) {
    await verifier.verify(request.body, request.headers);
  }
  assert.deepEqual(events.map((e) => e.type), [
    "retrying",
    "retrying",
    "delivered",
  ]);
  const record = await queue.get(id);
  assert.deepEqual(
    record?.attempts.map((a) => [a.number, a.status, a.retryInMs]),
    [
      [1, 503, 20],
      [2, 503, 20],
      [3, 200, undefined],
    ],
  );
});

Deno.test("WebhookQueue: a 4xx goes dead at once with the reason, and replay sends it again", async () => {
  let calls = 0;
  await using receiver = startReceiver(() =>
    new Response("bad", { status: ++calls === 1 ? 400 : 200 })
  );
  const events: WebhookQueueEvent[] = [];
  await using queue = queueWith({ onEvent: (e) => events.push(e) });
  queue.start();
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, {});
  await eventually(async () => (await statusOf(queue, id)) === "dead", "dead");
  const dead = await queue.get(id);
  assert.match(
    dead?.deadReason ?? "",
    /^Webhook rejected by receiver \(status 400\)$/,
  );
  assert.deepEqual(events.map((e) => e.type), ["dead"]);
  assert.equal(await queue.replay(id), true);
  await eventually(
    async () => (await statusOf(queue, id)) === "delivered",
    "delivered after replay",
  );
  assert.equal(receiver.received.length, 2);
  assert.deepEqual((await queue.get(id))?.attempts.map((a) => a.status), [
    400,
    200,
  ]);
});

Deno.test("WebhookQueue: a schedule used up ends dead", async () => {
  await using receiver = startReceiver(() =>
    new Response(null, { status: 500 })
  );
  await using queue = queueWith({ retryDelaysMs: [10], circuitBreaker: false });
  queue.start();
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, {});
  await eventually(async () => (await statusOf(queue, id)) === "dead", "dead");
  assert.equal(receiver.received.length, 2);
  assert.match(
    (await queue.get(id))?.deadReason ?? "",
    /^Webhook delivery failed after all attempts/,
  );
});

Deno.test("WebhookQueue: 410 Gone disables the endpoint until it is enabled again", async () => {
  let gone = true;
  await using receiver = startReceiver(() =>
    new Response(null, { status: gone ? 410 : 204 })
  );
  const events: WebhookQueueEvent[] = [];
  await using queue = queueWith({
    onEvent: (e) => events.push(e),
    concurrency: 1,
  });
  const url = `${receiver.origin}/gone`;
  const ids = [];
  for (let n = 0; n < 3; n++) ids.push((await queue.enqueue(url, { n })).id);
  queue.start();
  await eventually(
    () => events.some((e) => e.type === "endpoint.disabled"),
    "disabled",
  );
  await eventually(
    async () => (await queue.stats()).pending === 0,
    "no pending left",
  );
  assert.equal(receiver.received.length, 1, "the other messages were not sent");
  const later = await queue.enqueue(url, { n: 3 });
  assert.equal(await statusOf(queue, later.id), "dead");
  assert.match(
    (await queue.get(ids[1]!))?.deadReason ?? "",
    /Endpoint disabled: the receiver answered 410 Gone/,
  );
  assert.deepEqual((await queue.stats()).disabledEndpoints, [
    { endpoint: url, reason: "the receiver answered 410 Gone" },
  ]);
  gone = false;
  assert.equal(await queue.enableEndpoint(url), true);
  assert.equal(await queue.replayDead({ endpoint: url }), 4);
  await eventually(
    async () => (await queue.stats()).delivered === 4,
    "all delivered",
  );
});

Deno.test("WebhookQueue: one endpoint never has more than endpointConcurrency requests, and others are not held up", async () => {
  await using receiver = startReceiver(async (request, signal) => {
    if (request.path === "/slow") await hold(10_000, signal);
    return new Response(null, { status: 204 });
  });
  await using queue = queueWith({
    concurrency: 6,
    endpointConcurrency: 2,
    timeoutMs: 5_000,
  });
  for (let n = 0; n < 8; n++) {
    await queue.enqueue(`${receiver.origin}/slow`, { n });
  }
  for (let n = 0; n < 4; n++) {
    await queue.enqueue(`${receiver.origin}/fast`, { n });
  }
  queue.start();
  await eventually(
    async () => (await queue.stats()).delivered === 4,
    "the fast endpoint is served",
  );
  assert.equal(receiver.maxConcurrent.get("/slow"), 2);
  assert.equal(receiver.received.filter((r) => r.path === "/slow").length, 2);
  await queue.close({ graceMs: 0 });
});

Deno.test("WebhookQueue: no more than concurrency attempts are in flight in one process", async () => {
  await using receiver = startReceiver(async (_request, signal) => {
    await hold(30, signal);
    return new Response(null, { status: 204 });
  });
  await using queue = queueWith({ concurrency: 3, endpointConcurrency: 10 });
  await queue.enqueueMany(
    Array.from(
      { length: 12 },
      (_, n) => ({ url: `${receiver.origin}/hook`, payload: { n } }),
    ),
  );
  queue.start();
  await eventually(
    async () => (await queue.stats()).delivered === 12,
    "all delivered",
  );
  assert.equal(receiver.maxConcurrent.get("/hook"), 3);
});

Deno.test("WebhookQueue: the circuit breaker pauses a failing endpoint, sends nothing while paused, then one probe resumes it", async () => {
  let failing = true;
  await using receiver = startReceiver(() =>
    new Response(null, { status: failing ? 503 : 204 })
  );
  const events: (WebhookQueueEvent & { at: number })[] = [];
  const logger = captureLogger();
  await using queue = queueWith({
    logger,
    concurrency: 1,
    retryDelaysMs: [1, 1, 1, 1, 1, 1],
    circuitBreaker: {
      failureThreshold: 2,
      cooldownMs: 300,
      maxCooldownMs: 300,
    },
    onEvent: (e) => events.push({ ...e, at: performance.now() }),
  });
  const ids = [];
  for (let n = 0; n < 3; n++) {
    ids.push((await queue.enqueue(`${receiver.origin}/hook`, { n })).id);
  }
  queue.start();
  await eventually(
    () => events.some((e) => e.type === "endpoint.paused"),
    "paused",
  );
  const paused = events.find((e) => e.type === "endpoint.paused")!;
  assert.equal(receiver.received.length, 2);
  failing = false;
  await eventually(
    async () => (await queue.stats()).delivered === 3,
    "all delivered after the pause",
  );
  const afterPause = receiver.received.slice(2);
  assert.ok(
    afterPause[0]!.at - paused.at >= 250,
    `the probe came ${afterPause[0]!.at - paused.at} ms after the pause`,
  );
  assert.equal(receiver.received.length, 5, "2 failures, 1 probe, 2 more");
  assert.ok(events.some((e) => e.type === "endpoint.resumed"));
  assert.ok(
    logger.records.some((r) =>
      r.message === "Webhook endpoint paused" && r.fields.failures === 2
    ),
  );
  const attempts = await Promise.all(
    ids.map(async (id) => (await queue.get(id))?.attempts.length),
  );
  assert.equal(
    attempts.reduce((a, b) => a! + b!, 0),
    5,
    "waiting messages spent no attempt during the pause",
  );
});

Deno.test("WebhookQueue: close() aborts attempts past the grace and puts them back uncounted", async () => {
  await using receiver = startReceiver(async (_request, signal) => {
    await hold(10_000, signal);
    return new Response(null, { status: 204 });
  });
  const store = new MemoryStore();
  const queue = queueWith({ store, timeoutMs: 5_000 });
  queue.start();
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, {});
  await receiver.waitFor(1);
  const startedClose = performance.now();
  await queue.close({ graceMs: 50 });
  assert.ok(
    performance.now() - startedClose < 4_000,
    "close did not wait for the attempt's timeout",
  );
  const record = await store.get(id);
  assert.equal(record?.status, "pending");
  assert.deepEqual(record?.attempts, []);
  assert.equal(record?.inFlight, false);
  await assert.rejects(queue.enqueue(`${receiver.origin}/hook`, {}), /closed/);
});

Deno.test("WebhookQueue: an enqueue in this process is picked up at once, not at the next poll", async () => {
  await using receiver = startReceiver();
  await using queue = queueWith({ pollIntervalMs: 60_000 });
  queue.start();
  await new Promise((resolve) => setTimeout(resolve, 20)); // idle
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, {});
  await eventually(
    async () => (await statusOf(queue, id)) === "delivered",
    "delivered",
    20_000,
  );
});

Deno.test("WebhookQueue: delivered messages are pruned after deliveredRetentionMs", async () => {
  await using receiver = startReceiver();
  await using queue = queueWith({ deliveredRetentionMs: 0 });
  queue.start();
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, {});
  await receiver.waitFor(1);
  await queue.enqueue(`${receiver.origin}/hook`, {}); // another pass of the worker
  await eventually(async () => (await queue.get(id)) === undefined, "pruned");
});

Deno.test("WebhookQueue: a store that fails is logged and retried; nothing is lost and enqueue rejects", async () => {
  await using receiver = startReceiver();
  const store = new MemoryStore();
  let failClaims = 2;
  let failEnqueue = true;
  const flaky = Object.assign(bound(store), {
    claim: (options: Parameters<MemoryStore["claim"]>[0]) =>
      failClaims-- > 0
        ? Promise.reject(new Error("database is locked"))
        : store.claim(options),
    enqueue: (messages: Parameters<MemoryStore["enqueue"]>[0]) =>
      failEnqueue
        ? Promise.reject(new Error("disk I/O error"))
        : store.enqueue(messages),
  });
  const logger = captureLogger();
  await using queue = queueWith({ store: flaky, logger });
  await assert.rejects(
    queue.enqueue(`${receiver.origin}/hook`, {}),
    /disk I\/O error/,
  );
  failEnqueue = false;
  const { id } = await queue.enqueue(`${receiver.origin}/hook`, {});
  queue.start();
  await eventually(
    async () => (await statusOf(queue, id)) === "delivered",
    "delivered",
  );
  const errors = logger.records.filter((r) =>
    r.message === "Webhook queue store error"
  );
  assert.equal(errors.length, 2);
  assert.equal(errors[0]?.fields.error, "database is locked");
  assert.equal(errors[0]?.fields.operation, "claim");
});

Deno.test("WebhookQueue: options are checked when it is created", () => {
  assert.throws(
    () => new WebhookQueue({ concurrency: 0 }),
    /Cannot create WebhookQueue as 'concurrency' must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => new WebhookQueue({ leaseMs: 100, timeoutMs: 1_000 }),
    RangeError,
  );
  assert.throws(
    () => new WebhookQueue({ circuitBreaker: { cooldownMs: -1 } }),
    RangeError,
  );
  assert.throws(
    () => new WebhookQueue({ store: {} as MemoryStore }),
    TypeError,
  );
  assert.throws(
    () => new WebhookQueue({ timeoutMs: 0 }),
    /Cannot create WebhookQueue as 'timeoutMs'/,
  );
});

/** The store's methods bound to it, to override some in a test. */
function bound(store: MemoryStore): MemoryStore {
  const methods: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(MemoryStore.prototype)) {
    const method = (store as unknown as Record<string, unknown>)[name];
    if (name !== "constructor" && typeof method === "function") {
      methods[name] = method.bind(store);
    }
  }
  return methods as unknown as MemoryStore;
}

Deno.test("WebhookQueue: a message whose claims keep ending without a result goes dead, logged and reported", async () => {
  const store = new MemoryStore();
  const events: WebhookQueueEvent[] = [];
  const logger = captureLogger();
  await using queue = queueWith({
    store,
    logger,
    maxClaimsWithoutResult: 1,
    onEvent: (e) => events.push(e),
  });
  const { id } = await queue.enqueue("https://example.test/hook", {});
  // A worker that claimed it and died: its lease ends, no result recorded.
  await store.claim({
    now: Date.now(),
    limit: 1,
    leaseMs: 1,
    endpointLimit: 1,
    maxClaimsWithoutResult: 1,
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  queue.start();
  await eventually(
    () => events.some((e) => e.type === "dead"),
    "reported dead",
  );
  assert.deepEqual(events, [{
    type: "dead",
    id,
    endpoint: "https://example.test/hook",
    reason: (await queue.get(id))?.deadReason,
  }]);
  assert.match(
    String(events[0]?.type === "dead" && events[0].reason),
    /Claimed 1 times without a result/,
  );
  assert.ok(
    logger.records.some((r) =>
      r.message === "Webhook abandoned" && r.fields.webhookId === id
    ),
  );
});

Deno.test("WebhookQueue: inspection and repair refuse malformed arguments before the store sees them", async () => {
  await using queue = queueWith();
  await assert.rejects(queue.list({ limit: 0 }), RangeError);
  await assert.rejects(queue.list({ limit: 1.5 }), RangeError);
  await assert.rejects(queue.list({ limit: 5_000 }), RangeError);
  await assert.rejects(
    queue.list({ status: "lost" as "dead" }),
    /The status must be "pending", "delivered" or "dead"/,
  );
  await assert.rejects(
    queue.list({ cursor: 7 as unknown as string }),
    TypeError,
  );
  await assert.rejects(queue.replayDead({ since: NaN }), TypeError);
  await assert.rejects(
    queue.replayDead({ endpoint: 1 as unknown as string }),
    TypeError,
  );
  await assert.rejects(
    queue.get(1 as unknown as string),
    /The id must be a string/,
  );
  await assert.rejects(queue.replay({} as unknown as string), TypeError);
  await assert.rejects(
    queue.enableEndpoint(null as unknown as string),
    TypeError,
  );
  assert.deepEqual(await queue.list({ limit: 1 }), { messages: [] });
});
