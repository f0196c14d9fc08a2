/**
 * `deno task bench:queue:postgres`: PostgresStore across worker processes,
 * each figure beside a baseline of the same run (absolute rates on a shared
 * machine mean little). Every worker is a separate OS process (this file run
 * with `--worker`) with its own node-postgres pool; the receiver (loopback,
 * `204`, eight endpoints) and the producer live in this process.
 *
 * - end to end: deliveries per second of a backlog drained by 1, 2 and 4
 *   worker processes on PostgreSQL, and by 1 worker process on SqliteStore
 *   (a file, `synchronous: "FULL"`), the baseline;
 * - cross-process pick-up latency: a message enqueued here and delivered by
 *   an idle worker in another process, woken by LISTEN/NOTIFY (it polls once
 *   a minute only), p50 and p99 from before `enqueue()` to its arrival.
 *
 * The server is the one `WEBHOOK_PG_URL` names, or a throwaway one started
 * for the run (`scripts/postgres/server.ts`). `--smoke` runs every measure
 * small, to show it works (CI); it checks no timings.
 *
 * @module
 */
import pg from "pg";
import { silentLogger, WebhookQueue } from "../mod.ts";
import { SqliteStore } from "../src/stores/sqlite/mod.ts";
import { pgClient, PostgresStore } from "../src/stores/postgres/mod.ts";
import { startPostgres } from "../scripts/postgres/server.ts";
import { EVENT } from "./_shared.ts";

const smoke = Deno.args.includes("--smoke");
const scale = (full: number, small: number) => smoke ? small : full;
/** Attempts in flight per worker process, and per endpoint across them. */
const CONCURRENCY = 50;
const ENDPOINTS = 8;

/** A store of either kind: `pg <url> <schema>` or `sqlite <path>`. */
type StoreSpec = readonly ["pg", string, string] | readonly ["sqlite", string];

function openStore(spec: StoreSpec): {
  store: PostgresStore | SqliteStore;
  end(): Promise<void>;
} {
  if (spec[0] === "sqlite") {
    return { store: new SqliteStore({ path: spec[1] }), end: async () => {} };
  }
  const pool = new pg.Pool({ connectionString: spec[1], max: 8 });
  pool.on("error", () => {});
  return {
    store: new PostgresStore({ client: pgClient(pool), schema: spec[2] }),
    end: () => pool.end(),
  };
}

// A worker process: ready once connected, starts on the first byte of its
// standard input, closes at its end.
if (Deno.args[0] === "--worker") {
  const [pollIntervalMs, ...spec] = Deno.args.slice(1);
  const { store, end } = openStore(spec as unknown as StoreSpec);
  await store.stats(Date.now()); // connected, the file opened
  const queue = new WebhookQueue({
    store,
    logger: silentLogger,
    circuitBreaker: false,
    concurrency: CONCURRENCY,
    endpointConcurrency: CONCURRENCY,
    pollIntervalMs: Number(pollIntervalMs),
  });
  const input = Deno.stdin.readable.getReader();
  console.log("ready");
  await input.read();
  queue.start();
  while (!(await input.read()).done) { /* until the coordinator closes it */ }
  await queue.close({ graceMs: 0 });
  await end();
  Deno.exit(0);
}

interface Receiver {
  origin: string;
  arrivals: number;
  onArrival?: ((at: number) => void) | undefined;
  close(): Promise<void>;
}

function startReceiver(): Receiver {
  const receiver: Receiver = {
    origin: "",
    arrivals: 0,
    close: () => server.shutdown(),
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      await request.arrayBuffer();
      const at = performance.now();
      receiver.arrivals++;
      receiver.onArrival?.(at);
      return new Response(null, { status: 204 });
    },
  );
  receiver.origin = `http://127.0.0.1:${server.addr.port}`;
  return receiver;
}

interface Worker {
  go(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a worker process on the store and resolves once it is connected. */
async function spawnWorker(
  spec: StoreSpec,
  pollIntervalMs: number,
): Promise<Worker> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      import.meta.filename!,
      "--worker",
      String(pollIntervalMs),
      ...spec,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await output.read();
    if (done) {
      throw new Error("bench: a worker process ended before it was ready");
    }
    seen += value;
  }
  const input = child.stdin.getWriter();
  return {
    go: () => input.write(new Uint8Array([1])),
    async stop() {
      await input.close();
      const status = await child.status;
      await output.cancel();
      if (!status.success) {
        throw new Error(`bench: a worker process exited with ${status.code}`);
      }
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const rows: { measure: string; value: string }[] = [];
const report = (measure: string, value: string) => {
  rows.push({ measure, value });
  console.log(`${measure}: ${value}`);
};

async function waitUntil(check: () => boolean, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("bench: timed out");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const created: string[] = [];
const given = Deno.env.get("WEBHOOK_PG_URL");
const server = given ? undefined : await startPostgres();
const url = given ?? server!.url;
const admin = new pg.Pool({ connectionString: url, max: 2 });
admin.on("error", () => {});
const temp = await Deno.makeTempDir({ prefix: "bench-queue-postgres-" });

/** A fresh, migrated schema (or SQLite file) of its own for each measure. */
async function freshSpec(kind: "pg" | "sqlite"): Promise<StoreSpec> {
  const name = `bench_${Date.now().toString(36)}_${created.length}`;
  created.push(name);
  if (kind === "sqlite") return ["sqlite", `${temp}/${name}.db`];
  const spec = ["pg", url, name] as const;
  const { store, end } = openStore(spec);
  await (store as PostgresStore).migrate();
  await end();
  return spec;
}

/**
 * Deliveries per second of a backlog of `total` messages, enqueued first,
 * drained by `processes` workers started together; timed from the start
 * until the store counts every message delivered.
 */
async function endToEnd(
  kind: "pg" | "sqlite",
  processes: number,
  total: number,
): Promise<number> {
  const spec = await freshSpec(kind);
  const receiver = startReceiver();
  const { store, end } = openStore(spec);
  const producer = new WebhookQueue({ store, logger: silentLogger });
  for (let sent = 0; sent < total; sent += 1_000) {
    await producer.enqueueMany(
      Array.from({ length: Math.min(1_000, total - sent) }, (_, n) => ({
        url: `${receiver.origin}/hooks/${(sent + n) % ENDPOINTS}`,
        payload: EVENT,
      })),
    );
  }
  const workers = await Promise.all(
    Array.from({ length: processes }, () => spawnWorker(spec, 1_000)),
  );
  const started = performance.now();
  await Promise.all(workers.map((worker) => worker.go()));
  await waitUntil(() => receiver.arrivals >= total);
  while ((await producer.stats()).delivered < total) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const rate = total / ((performance.now() - started) / 1_000);
  await Promise.all(workers.map((worker) => worker.stop()));
  await producer.close();
  await end();
  await receiver.close();
  return rate;
}

/**
 * Milliseconds from before `enqueue()` in this process to the arrival of
 * the message, delivered by an idle worker in another process.
 */
async function pickUp(
  samples: number,
): Promise<{ latencies: number[]; enqueues: number[] }> {
  const spec = await freshSpec("pg");
  const receiver = startReceiver();
  // Polling once a minute: only a notification wakes it in time.
  const worker = await spawnWorker(spec, 60_000);
  await worker.go();
  const { store, end } = openStore(spec);
  const producer = new WebhookQueue({ store, logger: silentLogger });
  // The worker's LISTEN is set up once it started: the first message shows it.
  await producer.enqueue(`${receiver.origin}/hooks/0`, EVENT);
  await waitUntil(() => receiver.arrivals >= 1, 60_000);
  const latencies: number[] = [];
  const enqueues: number[] = [];
  for (let n = 0; n < samples; n++) {
    await new Promise((resolve) => setTimeout(resolve, 20)); // idle
    const arrived = new Promise<number>((resolve) =>
      receiver.onArrival = resolve
    );
    const start = performance.now();
    await producer.enqueue(`${receiver.origin}/hooks/0`, EVENT);
    enqueues.push(performance.now() - start);
    latencies.push((await arrived) - start);
  }
  await worker.stop();
  await producer.close();
  await end();
  await receiver.close();
  return { latencies, enqueues };
}

try {
  const total = scale(5_000, 200);
  const sqlite = await endToEnd("sqlite", 1, total);
  report(
    `SqliteStore, 1 worker process, ${total} messages, ${ENDPOINTS} endpoints`,
    `${Math.round(sqlite)}/s`,
  );
  for (const processes of [1, 2, 4]) {
    const rate = await endToEnd("pg", processes, total);
    report(
      `PostgresStore, ${processes} worker process${
        processes === 1 ? "" : "es"
      }, ${total} messages, ${ENDPOINTS} endpoints`,
      `${Math.round(rate)}/s (${(rate / sqlite).toFixed(2)}× SqliteStore)`,
    );
  }
  const { latencies, enqueues } = await pickUp(scale(200, 10));
  report(
    "PostgresStore cross-process pick-up after idle (LISTEN/NOTIFY), p50",
    `${percentile(latencies, 0.5).toFixed(2)} ms`,
  );
  report(
    "PostgresStore cross-process pick-up after idle (LISTEN/NOTIFY), p99",
    `${percentile(latencies, 0.99).toFixed(2)} ms`,
  );
  report(
    "of which enqueue() until its commit returned, p50",
    `${percentile(enqueues, 0.5).toFixed(2)} ms`,
  );
} finally {
  // The schemas go too, on a server of the caller's.
  for (const name of created) {
    await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  }
  await admin.end();
  await server?.stop();
  await Deno.remove(temp, { recursive: true });
}

console.log(
  `\n${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, PostgreSQL from ${
    given ? "WEBHOOK_PG_URL" : "a throwaway server"
  }`,
);
console.log("\n| measure | value |\n|---|---|");
for (const row of rows) console.log(`| ${row.measure} | ${row.value} |`);
