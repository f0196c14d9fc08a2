/**
 * A queue with messages in every state, written by a real `WebhookQueue`,
 * for the `queue` commands to read and repair.
 */
import { silentLogger } from "../../src/log/logger.ts";
import type { WebhookStore } from "../../src/queue/store.ts";
import { WebhookQueue } from "../../src/queue/webhook_queue.ts";
import {
  eventually,
  type Receiver,
  startReceiver,
} from "../queue/_receiver.ts";

/** The receiver the fixture delivers to, and whether `/dead` answers 204 yet. */
export interface FixtureReceiver extends Receiver {
  /** From now on `/dead` succeeds, so a replayed message gets delivered. */
  fixDead(): void;
}

/** `/ok` answers 204; `/dead` answers 404 until `fixDead()`. */
export function startFixtureReceiver(): FixtureReceiver {
  let fixed = false;
  const receiver = startReceiver((request) =>
    new Response(null, {
      status: request.path === "/dead" && !fixed ? 404 : 204,
    })
  );
  return Object.assign(receiver, { fixDead: () => void (fixed = true) });
}

/**
 * Fills `store` (then closes the queue, not the store's own client): `evt_ok`
 * delivered (its URL holds `?token=tok_secret`, a header value
 * `hv_secret`, its payload `payload_secret`), `evt_dead_1` and `evt_dead_2` dead (404), `evt_pending`
 * pending (never attempted).
 */
export async function fillQueue(
  makeStore: () => WebhookStore | Promise<WebhookStore>,
  origin: string,
): Promise<void> {
  const queue = new WebhookQueue({
    store: await makeStore(),
    logger: silentLogger,
    pollIntervalMs: 20,
  });
  try {
    queue.start();
    await queue.enqueue(`${origin}/ok?token=tok_secret`, {
      n: 1,
      card: "payload_secret",
    }, {
      id: "evt_ok",
      headers: { "x-api-key": "hv_secret" },
    });
    await queue.enqueue(`${origin}/dead`, { n: 2 }, { id: "evt_dead_1" });
    await queue.enqueue(`${origin}/dead`, { n: 3 }, { id: "evt_dead_2" });
    await eventually(async () => {
      const stats = await queue.stats();
      return stats.delivered === 1 && stats.dead === 2;
    }, "the fixture's messages are delivered and dead");
  } finally {
    await queue.close();
  }
  const idle = new WebhookQueue({
    store: await makeStore(),
    logger: silentLogger,
  });
  try {
    await idle.enqueue("https://monitoring.invalid/hooks", { n: 4 }, {
      id: "evt_pending",
    });
  } finally {
    await idle.close();
  }
}

/** Delivers from `store` until `id` is delivered, then closes the queue. */
export async function deliverUntil(
  store: WebhookStore,
  ids: readonly string[],
): Promise<void> {
  const queue = new WebhookQueue({
    store,
    logger: silentLogger,
    pollIntervalMs: 20,
  });
  try {
    queue.start();
    await eventually(async () => {
      for (const id of ids) {
        if ((await queue.get(id))?.status !== "delivered") return false;
      }
      return true;
    }, `${ids.join(", ")} delivered`);
  } finally {
    await queue.close({ graceMs: 0 });
  }
}
