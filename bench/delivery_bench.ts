/**
 * The happy path: deliveries to a receiver that answers `200 ok` at once, one
 * at a time and 100 at a time, with bare `fetch` as the floor.
 *
 * @module
 */
import {
  createJsonLogger,
  DEFAULT_TIMEOUT_MS,
  silentLogger,
  WebhookDeliveryService,
} from "../mod.ts";
import {
  EVENT,
  iterations,
  kyLikeTheService,
  startReceiver,
} from "./_shared.ts";

const { url } = startReceiver();

/** The floor: what any client does to POST JSON and read the answer. */
async function bareFetch(): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(EVENT),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`Bare fetch got ${response.status}`);
}

/**
 * The floor for a webhook: bare fetch plus what every delivery must carry
 * (the `user-agent` and a fresh `webhook-id`, a per-attempt timeout signal,
 * redirects not followed). Not a baseline: it shows how much of deliver()'s
 * cost is the request it sends, and how much is its own bookkeeping.
 */
async function webhookFetch(): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "omoi-webhook-delivery/0.1.0",
      "webhook-id": crypto.randomUUID(),
    },
    body: JSON.stringify(EVENT),
    redirect: "manual",
    signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`Webhook fetch got ${response.status}`);
}

const silent = new WebhookDeliveryService({ logger: silentLogger });
let loggedBytes = 0;
const jsonLogged = new WebhookDeliveryService({
  // The default logger, which formats every record; the line is dropped.
  logger: createJsonLogger({ write: (line) => loggedBytes += line.length }),
});

async function deliverWith(service: WebhookDeliveryService): Promise<void> {
  if (!await service.deliver(url, EVENT)) throw new Error("Not delivered");
}

// The service's defaults: 4 attempts, 1 s, 2 s and 4 s apart, 10 s each.
const kyClient = kyLikeTheService();

async function kyPost(): Promise<void> {
  await kyClient.post(url, { json: EVENT }).arrayBuffer();
}

const CASES: readonly [name: string, send: () => Promise<void>][] = [
  ["bare fetch", bareFetch],
  ["fetch + webhook headers, timeout, no redirects", webhookFetch],
  ["deliver(), silent logger", () => deliverWith(silent)],
  ["deliver(), JSON logger", () => deliverWith(jsonLogged)],
  ["ky.post", kyPost],
];

for (const [name, send] of CASES) {
  Deno.bench({
    name,
    group: "happy path, sequential",
    baseline: name === "bare fetch",
    ...iterations(5_000, 500),
    // `async` itself, not just a returned promise: `deno bench` decides from
    // the kind of function whether to await each iteration.
    async fn() {
      await send();
    },
  });
}

const CONCURRENCY = 100;
for (const [name, send] of CASES) {
  Deno.bench({
    name: `${name} ×${CONCURRENCY}`,
    group: `happy path, ${CONCURRENCY} concurrent`,
    baseline: name === "bare fetch",
    ...iterations(300, 30),
    async fn() {
      await Promise.all(Array.from({ length: CONCURRENCY }, send));
    },
  });
}
