/**
 * A process the crash test starts and kills. Usage:
 *   produce DB URL COUNT   enqueue COUNT messages, printing each id once stored
 *   deliver DB             deliver until killed
 *   finish DB              deliver until nothing is pending, print the stats, exit
 */
import { silentLogger, WebhookQueue } from "../../mod.ts";
import { SqliteStore } from "../../src/stores/sqlite/mod.ts";

const [mode, path, url, count] = Deno.args;
const queue = new WebhookQueue({
  store: new SqliteStore({ path: path! }),
  logger: silentLogger,
  retryDelaysMs: [50, 50, 50],
  jitter: 0,
  timeoutMs: 1_000,
  leaseMs: 1_500,
  pollIntervalMs: 50,
  concurrency: 4,
  endpointConcurrency: 4,
  circuitBreaker: false,
});
const print = (line: string) =>
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));

if (mode === "produce") {
  // Two callers at a time, so that a kill can land inside a shared commit.
  const next = { n: 0 };
  const caller = async () => {
    while (next.n < Number(count)) {
      const id = `msg-${next.n++}`;
      await queue.enqueue(url!, { event_type: "task.completed", id }, { id });
      print(`stored ${id}`);
    }
  };
  await Promise.all([caller(), caller()]);
  print("done");
  await queue.close();
} else if (mode === "deliver") {
  queue.start();
  print("started");
} else if (mode === "finish") {
  queue.start();
  for (;;) {
    const stats = await queue.stats();
    if (stats.pending === 0) {
      print(JSON.stringify(stats));
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await queue.close();
}
