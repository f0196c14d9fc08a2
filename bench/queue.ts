/**
 * `deno task bench:queue`: the durable queue's figures, each as a ratio to
 * a baseline measured in the same run (absolute rates on a shared machine
 * mean little). `--smoke` runs every measure small, to show it works.
 *
 * - enqueue: 100 concurrent callers against one caller at a time, both at
 *   synchronous=FULL on a file;
 * - delivery: the queue's end-to-end rate into a loopback 204 receiver
 *   against plain `deliver()` at the same concurrency;
 * - pick-up latency of a message enqueued into an idle, started queue;
 * - isolation: p99 latency of healthy endpoints while 20 % hang, against
 *   its all-healthy value;
 * - heap of a worker with a large backlog pending in the file.
 *
 * @module
 */
import { silentLogger, WebhookDeliveryService, WebhookQueue } from "../mod.ts";
import { SqliteStore } from "../src/stores/sqlite/mod.ts";
import { EVENT } from "./_shared.ts";

const smoke = Deno.args.includes("--smoke");
// `--only=delivery,heap` runs some measures: enqueue, delivery, pickup,
// isolation, heap.
const only = Deno.args.find((arg) => arg.startsWith("--only="))?.slice(7)
  .split(",");
const wanted = (measure: string) => !only || only.includes(measure);
const scale = (full: number, small: number) => smoke ? small : full;

interface Receiver {
  origin: string;
  /** Resolves when `count` requests carrying `webhook-id`s have arrived. */
  arrivals: Map<string, number>;
  onArrival?: ((id: string, at: number) => void) | undefined;
  close(): Promise<void>;
}

function startReceiver(hangPaths: Set<string> = new Set()): Receiver {
  const receiver: Receiver = {
    origin: "",
    arrivals: new Map(),
    close: () => server.shutdown(),
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      await request.arrayBuffer();
      const path = new URL(request.url).pathname;
      if (hangPaths.has(path)) {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return new Response(null, { status: 204 });
      }
      const id = request.headers.get("webhook-id") ?? "";
      const at = performance.now();
      receiver.arrivals.set(id, at);
      receiver.onArrival?.(id, at);
      return new Response(null, { status: 204 });
    },
  );
  receiver.origin = `http://127.0.0.1:${server.addr.port}`;
  return receiver;
}

async function tempDb(): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "bench-queue-" })}/webhooks.db`;
}

function queueOn(
  path: string,
  options: ConstructorParameters<typeof WebhookQueue>[0] = {},
) {
  return new WebhookQueue({
    store: new SqliteStore({ path }),
    logger: silentLogger,
    circuitBreaker: false,
    ...options,
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const rows: { measure: string; value: string; target: string }[] = [];
const report = (measure: string, value: string, target: string) => {
  rows.push({ measure, value, target });
  console.log(`${measure}: ${value} (target ${target})`);
};

async function waitUntil(check: () => boolean, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("bench: timed out");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// 1. Enqueue at synchronous=FULL.
if (wanted("enqueue")) {
  const url = "http://127.0.0.1:9/hooks"; // never sent: nothing starts the queue
  const concurrentTotal = scale(20_000, 500);
  const queue = queueOn(await tempDb());
  await queue.enqueue(url, EVENT); // open the file
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 100 }, async () => {
    while (next++ < concurrentTotal) await queue.enqueue(url, EVENT);
  }));
  const concurrentRate = concurrentTotal /
    ((performance.now() - started) / 1_000);
  await queue.close();

  const serialTotal = scale(1_000, 50);
  const serial = queueOn(await tempDb());
  await serial.enqueue(url, EVENT);
  const serialStart = performance.now();
  for (let n = 0; n < serialTotal; n++) await serial.enqueue(url, EVENT);
  const serialRate = serialTotal / ((performance.now() - serialStart) / 1_000);
  await serial.close();
  report(
    "enqueue, 100 concurrent callers, synchronous=FULL",
    `${Math.round(concurrentRate)}/s`,
    "≥ 10000/s",
  );
  report(
    "enqueue, one at a time, synchronous=FULL",
    `${Math.round(serialRate)}/s`,
    "baseline",
  );
  report(
    "enqueue, concurrent ÷ one at a time",
    `${(concurrentRate / serialRate).toFixed(2)}×`,
    "≥ 3×",
  );
}

// 2. End to end against plain deliver() at the same concurrency.
if (wanted("delivery")) {
  const concurrency = 50;
  const total = scale(5_000, 200);
  const receiver = startReceiver();
  const url = `${receiver.origin}/hooks`;

  const service = new WebhookDeliveryService({ logger: silentLogger });
  let next = 0;
  const plainStart = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await service.deliver(url, EVENT);
  }));
  const plainRate = total / ((performance.now() - plainStart) / 1_000);

  receiver.arrivals.clear();
  const queue = queueOn(await tempDb(), {
    concurrency,
    endpointConcurrency: concurrency,
  });
  for (let sent = 0; sent < total; sent += 1_000) {
    await queue.enqueueMany(
      Array.from(
        { length: Math.min(1_000, total - sent) },
        () => ({ url, payload: EVENT }),
      ),
    );
  }
  const queueStart = performance.now();
  queue.start();
  await waitUntil(() => receiver.arrivals.size >= total);
  let delivered = 0;
  while (delivered < total) {
    delivered = (await queue.stats()).delivered;
    if (delivered < total) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const queueRate = total / ((performance.now() - queueStart) / 1_000);
  await queue.close();
  await receiver.close();
  report(
    `deliver(), ${concurrency} at a time, loopback 204`,
    `${Math.round(plainRate)}/s`,
    "baseline",
  );
  report(
    `queue end to end, concurrency ${concurrency}, loopback 204`,
    `${Math.round(queueRate)}/s`,
    "",
  );
  report(
    "queue ÷ deliver()",
    `${(queueRate / plainRate).toFixed(2)}×`,
    "≥ 0.7×",
  );
}

// 3. Pick-up latency after idle, same process.
if (wanted("pickup")) {
  const receiver = startReceiver();
  const queue = queueOn(await tempDb(), { pollIntervalMs: 60_000 });
  queue.start();
  const samples: number[] = [];
  for (let n = 0; n < scale(100, 10); n++) {
    await new Promise((resolve) => setTimeout(resolve, 20)); // idle
    const arrived = new Promise<number>((resolve) =>
      receiver.onArrival = (_id, at) => resolve(at)
    );
    const start = performance.now();
    await queue.enqueue(`${receiver.origin}/hooks`, EVENT);
    samples.push((await arrived) - start);
  }
  await queue.close();
  await receiver.close();
  report(
    "pick-up latency after idle, p50",
    `${percentile(samples, 0.5).toFixed(2)} ms`,
    "≤ 5 ms",
  );
}

// 4. Isolation: p99 latency of healthy endpoints with 20 % hanging.
async function healthyP99(hanging: number): Promise<number> {
  const endpoints = 20;
  const hangPaths = new Set(
    Array.from({ length: hanging }, (_, n) => `/e${n}`),
  );
  const receiver = startReceiver(hangPaths);
  const queue = queueOn(await tempDb(), {
    concurrency: 20,
    endpointConcurrency: 2,
    timeoutMs: 1_000,
    retryDelaysMs: [],
  });
  queue.start();
  const enqueuedAt = new Map<string, number>();
  const perEndpoint = scale(40, 4);
  const items = [];
  for (let round = 0; round < perEndpoint; round++) {
    for (let e = 0; e < endpoints; e++) {
      items.push({
        url: `${receiver.origin}/e${e}`,
        payload: EVENT,
        id: `${round}-${e}`,
      });
    }
  }
  for (const item of items) {
    enqueuedAt.set(item.id, performance.now());
    await queue.enqueue(item.url, item.payload, { id: item.id });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const healthy = items.filter((item) =>
    !hangPaths.has(new URL(item.url).pathname)
  );
  await waitUntil(() =>
    healthy.every((item) => receiver.arrivals.has(item.id))
  );
  const latencies = healthy.map((item) =>
    receiver.arrivals.get(item.id)! - enqueuedAt.get(item.id)!
  );
  await queue.close({ graceMs: 0 });
  await receiver.close();
  return percentile(latencies, 0.99);
}
if (wanted("isolation")) {
  const allHealthy = await healthyP99(0);
  const withHanging = await healthyP99(4);
  report(
    "healthy endpoints' p99, all healthy",
    `${allHealthy.toFixed(1)} ms`,
    "baseline",
  );
  report(
    "healthy endpoints' p99, 20 % of endpoints hanging",
    `${withHanging.toFixed(1)} ms`,
    "",
  );
  report(
    "isolation, hanging ÷ all healthy",
    `${(withHanging / allHealthy).toFixed(2)}×`,
    "≤ 1.5×",
  );
}

// 5. Heap of a worker with a large backlog in the file.
if (wanted("heap")) {
  const backlog = scale(1_000_000, 20_000);
  const path = await tempDb();
  // A receiver that holds every request past the bench: the worker keeps
  // its leases while its heap is read.
  const receiver = startReceiver(new Set(["/hooks"]));
  const filler = queueOn(path);
  for (let sent = 0; sent < backlog; sent += 10_000) {
    await filler.enqueueMany(
      Array.from(
        { length: 10_000 },
        () => ({ url: `${receiver.origin}/hooks`, payload: EVENT }),
      ),
    );
  }
  await filler.close();
  const worker = queueOn(path, { concurrency: 50, endpointConcurrency: 50 });
  worker.start();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  (globalThis as { gc?: () => void }).gc?.();
  const heapMiB = Deno.memoryUsage().heapUsed / 2 ** 20;
  await worker.close({ graceMs: 0 });
  await receiver.close();
  report(
    `worker heap with ${backlog} pending in the file`,
    `${heapMiB.toFixed(1)} MiB`,
    "< 64 MiB",
  );
}

console.log("\n| measure | value | target |\n|---|---|---|");
for (const row of rows) {
  console.log(`| ${row.measure} | ${row.value} | ${row.target} |`);
}
