/**
 * `deno task bench:memory`: heap held per delivery in flight.
 *
 * For each sender, puts 10 000 requests in flight against a receiver (a child
 * process) that holds them unanswered, measures the heap of this process once
 * they have all arrived, then releases them and measures again once they have
 * completed. Bare `fetch` is measured the same way: the difference is what a
 * delivery holds beyond what `fetch` itself holds.
 *
 * Needs `--v8-flags=--expose-gc` so every reading follows a full collection.
 *
 * @module
 */
import {
  DEFAULT_TIMEOUT_MS,
  silentLogger,
  WebhookDeliveryService,
} from "../mod.ts";
import { EVENT, kyLikeTheService } from "./_shared.ts";

const IN_FLIGHT = 10_000;
/**
 * The per-attempt timeout of `deliver()` and ky: the service's default, long
 * enough for every request to arrive before any attempt times out.
 */
const TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) {
  console.error("Run with --v8-flags=--expose-gc (deno task bench:memory)");
  Deno.exit(2);
}

const receiverProcess = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-net=127.0.0.1",
    new URL("./_memory_receiver.ts", import.meta.url).href,
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const portLine = await receiverProcess.stdout
  .pipeThrough(new TextDecoderStream())
  .getReader()
  .read();
const origin = `http://127.0.0.1:${Number(portLine.value)}`;
const url = `${origin}/hooks`;

async function control(path: string): Promise<string> {
  const response = await fetch(`${origin}${path}`, { method: "POST" });
  return await response.text();
}

/** `heapUsed` + `external` after a full collection, in bytes. */
async function heapBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

interface Reading {
  /** Held once all requests have reached the receiver. */
  inFlight: number;
  /** Held once they have all completed. */
  completed: number;
  /** Held once the per-attempt timeouts would have fired too. */
  settled: number;
}

/**
 * Holds IN_FLIGHT sends in flight, then lets them complete. The first round
 * only warms up: it opens the connections and grows the pools and tables
 * that stay at their size, so the second round sees what each send holds.
 */
async function measure(send: () => Promise<unknown>): Promise<Reading> {
  await round(send);
  return await round(send);
}

async function round(send: () => Promise<unknown>): Promise<Reading> {
  const baseline = await heapBytes();
  const startedAt = performance.now();
  const sends = Array.from({ length: IN_FLIGHT }, send);
  while (Number(await control("/held")) < IN_FLIGHT) await pause(50);
  const inFlight = await heapBytes() - baseline;
  await control("/release");
  const results = await Promise.all(sends);
  if (results.some((result) => result === false)) {
    throw new Error(
      "Some sends failed: is the machine too slow for TIMEOUT_MS?",
    );
  }
  const completed = await heapBytes() - baseline;
  await pause(TIMEOUT_MS + 500 - (performance.now() - startedAt));
  const settled = await heapBytes() - baseline;
  return { inFlight, completed, settled };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

const service = new WebhookDeliveryService({
  logger: silentLogger,
  timeoutMs: TIMEOUT_MS,
});
const kyClient = kyLikeTheService({ timeoutMs: TIMEOUT_MS });

const senders: [string, () => Promise<unknown>][] = [
  ["bare fetch", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(EVENT),
    });
    await response.arrayBuffer();
  }],
  ["deliver()", () => service.deliver(url, EVENT)],
  ["ky.post", () => kyClient.post(url, { json: EVENT }).arrayBuffer()],
];

const kib = (bytes: number) => (bytes / 1024 / IN_FLIGHT).toFixed(2);
try {
  const readings = new Map<string, Reading>();
  console.log(
    `Heap (V8 heap + external) per request, KiB, ${IN_FLIGHT} requests in flight`,
  );
  console.log(
    "| sender | in flight | after completion | after the timeouts' time | back to baseline |",
  );
  console.log("| --- | ---: | ---: | ---: | --- |");
  for (const [name, send] of senders) {
    const reading = await measure(send);
    readings.set(name, reading);
    // Within 5 % of the in-flight growth counts as back to the baseline.
    const back = reading.settled <= reading.inFlight * 0.05;
    console.log(
      `| ${name} | ${kib(reading.inFlight)} | ${kib(reading.completed)} | ${
        kib(reading.settled)
      } | ${back ? "yes" : "no"} |`,
    );
  }
  const floor = readings.get("bare fetch")!.inFlight;
  const ours = readings.get("deliver()")!.inFlight;
  console.log(
    `deliver() holds ${
      kib(ours - floor)
    } KiB per delivery in flight beyond bare fetch`,
  );
} finally {
  receiverProcess.kill();
  await receiverProcess.status;
}
