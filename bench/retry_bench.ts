/**
 * The retry path: a receiver that answers every first request `500` and
 * every second one `200`, so each delivery costs exactly one retry. Bare
 * `fetch` sending twice, with the same zero-delay wait between the two, is
 * the floor: in Deno that wait alone (a timer of 0 ms) takes 1 to 3 ms, far
 * more than the requests.
 *
 * @module
 */
import { silentLogger, WebhookDeliveryService } from "../mod.ts";
import {
  EVENT,
  iterations,
  kyLikeTheService,
  startReceiver,
} from "./_shared.ts";

const receiver = startReceiver((request) =>
  request % 2 === 1 ? { status: 500, body: "try again" } : { status: 200 }
);
const { url } = receiver;

/** Runs one delivery and checks that it took exactly the two requests. */
async function twoRequests(send: () => Promise<unknown>): Promise<void> {
  const before = receiver.requests;
  const result = await send();
  if (result === false || receiver.requests !== before + 2) {
    throw new Error("A delivery did not take exactly one retry");
  }
}

/** The floor: the two requests, and the zero-delay wait asked for between them. */
async function bareFetchTwice(): Promise<void> {
  for (const expected of [500, 200]) {
    if (expected === 200) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(EVENT),
    });
    await response.arrayBuffer();
    if (response.status !== expected) {
      throw new Error(`Bare fetch got ${response.status}`);
    }
  }
}

// One retry, at once.
const service = new WebhookDeliveryService({
  retryDelaysMs: [0],
  logger: silentLogger,
});

const kyClient = kyLikeTheService({ retryDelaysMs: [0] });

const CASES: readonly [name: string, send: () => Promise<unknown>][] = [
  ["bare fetch, twice, 0 ms apart", bareFetchTwice],
  ["deliver(), retryDelaysMs: [0]", () => service.deliver(url, EVENT)],
  [
    "ky.post, one zero-delay retry",
    () => kyClient.post(url, { json: EVENT }).arrayBuffer(),
  ],
];

for (const [name, send] of CASES) {
  Deno.bench({
    name,
    group: "retry path: 500, then 200",
    baseline: name === "bare fetch, twice, 0 ms apart",
    ...iterations(3_000, 300),
    // `async` itself, not just a returned promise: `deno bench` decides from
    // the kind of function whether to await each iteration.
    async fn() {
      await twoRequests(send);
    },
  });
}
