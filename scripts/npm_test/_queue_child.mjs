// A process the queue's crash test starts and kills, using the installed
// package. `produce DB URL`: enqueue until killed, printing each id once
// stored. `finish DB`: deliver until nothing is pending, then exit.
import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
import { SqliteStore } from "@omoi/webhook-delivery/sqlite";

const [mode, path, url] = process.argv.slice(2);
const queue = new WebhookQueue({
  store: new SqliteStore({ path }),
  logger: silentLogger,
  retryDelaysMs: [50],
  timeoutMs: 1_000,
  pollIntervalMs: 20,
  circuitBreaker: false,
});

if (mode === "produce") {
  for (let n = 0;; n++) {
    const { id } = await queue.enqueue(url, { n }, { id: `msg-${n}` });
    process.stdout.write(`stored ${id}\n`);
  }
} else {
  queue.start();
  while ((await queue.stats()).pending > 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await queue.close();
}
