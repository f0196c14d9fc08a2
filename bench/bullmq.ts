/**
 * `deno task bench:bullmq`: the queue against what JavaScript teams reach
 * for today, BullMQ on Redis with a `fetch` worker, on the same work in the
 * same run. Both sides confirm an enqueue only after an fsync: Redis with
 * `appendfsync always`, SQLite with `synchronous=FULL`. Needs
 * `redis-server` on PATH (Debian: `apt-get install redis-server`).
 * `--smoke` runs it small.
 *
 * @module
 */
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { silentLogger, WebhookQueue } from "../mod.ts";
import { SqliteStore } from "../src/stores/sqlite/mod.ts";
import { EVENT } from "./_shared.ts";

const smoke = Deno.args.includes("--smoke");
const TOTAL = smoke ? 300 : 10_000;
const CALLERS = 100;
const CONCURRENCY = 50;

const dir = await Deno.makeTempDir({ prefix: "bench-bullmq-" });
const port = freePort();
const redis = new Deno.Command("redis-server", {
  args: [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--save",
    "",
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
await waitForPort(port);

let arrivals = 0;
const receiver = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    await request.arrayBuffer();
    arrivals++;
    return new Response(null, { status: 204 });
  },
);
const url = `http://127.0.0.1:${receiver.addr.port}/hooks`;

async function callers(add: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (next++ < TOTAL) await add();
  }));
  return TOTAL / ((performance.now() - start) / 1_000);
}

async function deliveredRate(start: () => void): Promise<number> {
  arrivals = 0;
  const began = performance.now();
  start();
  while (arrivals < TOTAL) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return TOTAL / ((performance.now() - began) / 1_000);
}

// BullMQ: jobs added by 100 callers, then a worker POSTs each with fetch.
// BullMQ in an ES module takes clients it did not make; the worker blocks
// on its own connection.
const redisClient = () =>
  new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null });
const producerConnection = redisClient();
const workerConnection = redisClient();
const bull = new Queue("webhooks", { connection: producerConnection });
await bull.waitUntilReady();
const bullEnqueue = await callers(() =>
  bull.add("webhook", { url, payload: EVENT }, {
    removeOnComplete: true,
    attempts: 8,
  })
);
let worker: Worker | undefined;
const bullDeliver = await deliveredRate(() => {
  worker = new Worker("webhooks", async (job) => {
    const response = await fetch(job.data.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": String(job.id),
      },
      body: JSON.stringify(job.data.payload),
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`status ${response.status}`);
  }, { connection: workerConnection, concurrency: CONCURRENCY });
});
await worker?.close();
await bull.close();
producerConnection.disconnect();
workerConnection.disconnect();

// The queue on SQLite, the same work.
const queue = new WebhookQueue({
  store: new SqliteStore({ path: `${dir}/webhooks.db` }),
  logger: silentLogger,
  concurrency: CONCURRENCY,
  endpointConcurrency: CONCURRENCY,
  circuitBreaker: false,
});
const queueEnqueue = await callers(() => queue.enqueue(url, EVENT));
const queueDeliver = await deliveredRate(() => queue.start());
await queue.close();

redis.kill("SIGTERM");
await redis.status;
await receiver.shutdown();
await Deno.remove(dir, { recursive: true });

const rows = [
  [
    "enqueue, 100 callers, fsync per confirm: BullMQ",
    `${Math.round(bullEnqueue)}/s`,
  ],
  [
    "enqueue, 100 callers, fsync per confirm: WebhookQueue + SQLite",
    `${Math.round(queueEnqueue)}/s`,
  ],
  [
    "enqueue, WebhookQueue ÷ BullMQ",
    `${(queueEnqueue / bullEnqueue).toFixed(2)}× (target ≥ 1.0×)`,
  ],
  [
    `delivery, concurrency ${CONCURRENCY}, loopback 204: BullMQ + fetch`,
    `${Math.round(bullDeliver)}/s`,
  ],
  [
    `delivery, concurrency ${CONCURRENCY}, loopback 204: WebhookQueue`,
    `${Math.round(queueDeliver)}/s`,
  ],
  [
    "delivery, WebhookQueue ÷ BullMQ",
    `${(queueDeliver / bullDeliver).toFixed(2)}× (target ≥ 1.0×)`,
  ],
];
console.log(`${TOTAL} messages\n\n| measure | value |\n|---|---|`);
for (const [measure, value] of rows) console.log(`| ${measure} | ${value} |`);

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`redis-server did not listen on ${port}`);
}
