/**
 * A producer process for the Postgres multi-process test: enqueues `count`
 * messages `m-0` … through postgres.js (the workers use pg), spread over
 * `endpoints` paths `/e0` … of `origin`, by four callers at once in batches
 * of 25, and prints `stored <first> <last>` once each batch is stored, then
 * `done`. Usage:
 *
 *   deno run … _producer_child.ts URL SCHEMA ORIGIN COUNT ENDPOINTS
 */
import postgres from "postgres";
import { type EnqueueItem, silentLogger, WebhookQueue } from "../../mod.ts";
import {
  postgresJsClient,
  PostgresStore,
} from "../../src/stores/postgres/mod.ts";

const [url, schema, origin, count, endpoints] = Deno.args;
const total = Number(count);
const encoder = new TextEncoder();
const print = (line: string) =>
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));

const sql = postgres(url!, { max: 4, onnotice: () => {} });
const queue = new WebhookQueue({
  store: new PostgresStore({ client: postgresJsClient(sql), schema: schema! }),
  logger: silentLogger,
});
const BATCH = 25;
let next = 0;
const caller = async () => {
  while (next < total) {
    const first = next;
    const last = Math.min(first + BATCH, total) - 1;
    next = last + 1;
    const items: EnqueueItem[] = [];
    for (let n = first; n <= last; n++) {
      const id = `m-${n}`;
      items.push({
        url: `${origin}/e${n % Number(endpoints)}`,
        payload: { event_type: "task.completed", n },
        options: { id },
      });
    }
    await queue.enqueueMany(items);
    print(`stored ${first} ${last}`);
  }
};
await Promise.all([caller(), caller(), caller(), caller()]);
await queue.close();
await sql.end({ timeout: 1 });
print("done");
