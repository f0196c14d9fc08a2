/**
 * A worker process the Postgres multi-process tests start: its own client
 * and PostgresStore on a shared schema, delivering until its stdin closes
 * (then it closes the queue and exits 0) or until it is killed. Usage:
 *
 *   deno run … _worker_child.ts '<WorkerConfig as JSON>'
 *
 * It prints one line per fact the test may read:
 *   `ready`                     the queue has started
 *   `event <WebhookQueueEvent>` with `events: true`, every event
 *   `log <level> <json>`        every warn and error record of its logger
 *   `closed`                    the queue closed after stdin ended
 *
 * Every request carries `x-worker: <name>`, so the receiver can tell the
 * processes apart.
 */
import pg from "pg";
import postgres from "postgres";
import { type Logger, type LogLevel, WebhookQueue } from "../../mod.ts";
import {
  pgClient,
  type PostgresClient,
  postgresJsClient,
  PostgresStore,
} from "../../src/stores/postgres/mod.ts";
import type { WebhookQueueOptions } from "../../src/queue/options.ts";

/** What a worker child is told on its command line. */
export interface WorkerConfig {
  url: string;
  schema: string;
  adapter: "pg" | "postgres.js";
  name: string;
  events?: boolean;
  queue: Pick<
    WebhookQueueOptions,
    | "concurrency"
    | "endpointConcurrency"
    | "leaseMs"
    | "pollIntervalMs"
    | "retryDelaysMs"
    | "timeoutMs"
    | "circuitBreaker"
  >;
}

const config = JSON.parse(Deno.args[0]!) as WorkerConfig;
const encoder = new TextEncoder();
const print = (line: string) =>
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));

const printing = (level: LogLevel) =>
(
  message: string,
  fields: Record<string, unknown>,
) => print(`log ${level} ${JSON.stringify({ message, ...fields })}`);
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: printing("warn"),
  error: printing("error"),
};

let client: PostgresClient;
let end: () => Promise<void>;
if (config.adapter === "pg") {
  const pool = new pg.Pool({ connectionString: config.url, max: 4 });
  // An idle connection lost (a server restart) is reported here, not thrown.
  pool.on(
    "error",
    (error: Error) =>
      printing("warn")("pg pool error", { error: error.message }),
  );
  client = pgClient(pool);
  end = () => pool.end();
} else {
  const sql = postgres(config.url, { max: 4, onnotice: () => {} });
  client = postgresJsClient(sql);
  end = () => sql.end({ timeout: 1 });
}

const queue = new WebhookQueue({
  store: new PostgresStore({ client, schema: config.schema }),
  logger,
  jitter: 0,
  ...config.queue,
  fetch: (url, init) => {
    const headers = new Headers(init.headers);
    headers.set("x-worker", config.name);
    return fetch(url, { ...init, headers });
  },
  ...(config.events
    ? { onEvent: (event) => print(`event ${JSON.stringify(event)}`) }
    : {}),
});
queue.start();
print("ready");

// Runs until stdin ends (the test's graceful stop) or a SIGKILL.
for await (const _ of Deno.stdin.readable) {
  // Nothing is read: only the end matters.
}
await queue.close({ graceMs: 2_000 });
await end();
print("closed");
