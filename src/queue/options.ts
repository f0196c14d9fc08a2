import type { WebhookDeliveryOptions } from "../send/options.ts";
import type { WebhookQueueEvent } from "./events.ts";
import type { WebhookStore } from "./store.ts";

/**
 * The queue's retry schedule: after the first attempt, 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h (the Standard Webhooks schedule), about 33 hours
 * in all.
 *
 * @example The schedule, in minutes
 * ```ts
 * import { DEFAULT_QUEUE_RETRY_DELAYS_MS } from "@omoi/webhook-delivery";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   DEFAULT_QUEUE_RETRY_DELAYS_MS.map((ms) => ms / 60_000),
 *   [1 / 12, 5, 30, 120, 300, 600, 600],
 * );
 * ```
 */
export const DEFAULT_QUEUE_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  5_000,
  300_000,
  1_800_000,
  7_200_000,
  18_000_000,
  36_000_000,
  36_000_000,
]);

/**
 * When an endpoint is paused: after `failureThreshold` failures in a row,
 * for `cooldownMs`, doubled each time a probe fails again, up to
 * `maxCooldownMs`. A failure is an attempt worth retrying (a network
 * error, a timeout, a 5xx, a 429); a 4xx answer is not one, the endpoint
 * is up.
 *
 * @example Pausing sooner, for longer
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue({
 *   logger: silentLogger,
 *   circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000, maxCooldownMs: 3_600_000 },
 * });
 * ```
 */
export interface CircuitBreakerOptions {
  /** @default {5} */
  /** Failures in a row that pause an endpoint. */
  failureThreshold?: number | undefined;
  /** @default {30000} */
  /** The first pause. */
  cooldownMs?: number | undefined;
  /** @default {600000} */
  /** The longest pause. */
  maxCooldownMs?: number | undefined;
}

/**
 * How a {@linkcode WebhookQueue} stores, schedules and delivers. Every
 * sender option applies to each attempt, with two defaults of the queue's
 * own: `retryDelaysMs` is {@linkcode DEFAULT_QUEUE_RETRY_DELAYS_MS} and
 * `jitter` is 0.2.
 *
 * @example A queue tuned for one busy receiver
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue({
 *   logger: silentLogger,
 *   concurrency: 50,
 *   endpointConcurrency: 20,
 *   timeoutMs: 5_000,
 *   retryDelaysMs: [1_000, 60_000, 3_600_000],
 *   deliveredRetentionMs: 7 * 86_400_000,
 * });
 * ```
 */
export interface WebhookQueueOptions extends WebhookDeliveryOptions {
  /**
   * Where messages live. The queue closes it on `close()`.
   *
   * @default {new MemoryStore()}
   */
  store?: WebhookStore | undefined;
  /**
   * Attempts in flight at once in this process.
   *
   * @default {10}
   */
  concurrency?: number | undefined;
  /**
   * Attempts in flight at once to one endpoint, counted over every process
   * that shares the store, so one slow receiver cannot take all the
   * capacity.
   *
   * @default {4}
   */
  endpointConcurrency?: number | undefined;
  /**
   * Pauses an endpoint that keeps failing; `false` turns it off.
   *
   * @default {{ failureThreshold: 5, cooldownMs: 30000, maxCooldownMs: 600000 }}
   */
  circuitBreaker?: CircuitBreakerOptions | false | undefined;
  /**
   * How long a claim holds a message before another worker may take it. It
   * must outlast one attempt: by default twice `timeoutMs` (the destination
   * check and the request each have one) plus 5 s.
   */
  leaseMs?: number | undefined;
  /**
   * How long delivered messages are kept for inspection before they are
   * pruned. Dead ones are kept until replayed.
   *
   * @default {86400000}
   */
  deliveredRetentionMs?: number | undefined;
  /**
   * How often the store is asked for due messages when nothing in this
   * process says one is due sooner: it is how enqueues of other processes
   * are found.
   *
   * @default {1000}
   */
  pollIntervalMs?: number | undefined;
  /**
   * A message whose claims end this many times without a result (the
   * process delivering it crashed or stalled each time) goes `dead`.
   *
   * @default {5}
   */
  maxClaimsWithoutResult?: number | undefined;
  /**
   * Called with every lifecycle event. An exception it throws is logged,
   * never passed on.
   */
  onEvent?: ((event: WebhookQueueEvent) => void) | undefined;
}

/**
 * Options of {@linkcode WebhookQueue.enqueue}.
 *
 * @example An id that makes a retry of the caller harmless
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import assert from "node:assert/strict";
 *
 * await using queue = new WebhookQueue({ logger: silentLogger });
 * const event = { event_type: "task.failed", task_id: "task_42" };
 * const options = { id: "evt_task_42_failed", endpoint: "monitoring" };
 * await queue.enqueue("https://monitoring.example/hooks", event, options);
 * const again = await queue.enqueue("https://monitoring.example/hooks", event, options);
 * assert.equal(again.duplicate, true);
 * ```
 */
export interface EnqueueOptions {
  /**
   * The `webhook-id` and idempotency key: an id stored already is not stored
   * again. Random by default.
   */
  id?: string | undefined;
  /** Headers for this message, over the queue's `headers`. */
  headers?: WebhookDeliveryOptions["headers"];
  /**
   * What concurrency limits, the circuit breaker and `410 Gone` apply to.
   *
   * @default {The URL's origin and path}
   */
  endpoint?: string | undefined;
  /**
   * Your open transaction, for a store that can join one (`PostgresStore`:
   * your client inside `BEGIN`, wrapped with `pgClient()` or
   * `postgresJsClient()`): the message is stored if and only if it commits
   * (the outbox pattern). Other stores reject it.
   */
  transaction?: unknown;
}

/**
 * Options of {@linkcode WebhookQueue.close}.
 *
 * @example Giving attempts in flight a second at most
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * const queue = new WebhookQueue({ logger: silentLogger });
 * queue.start();
 * await queue.close({ graceMs: 1_000 });
 * ```
 */
export interface CloseOptions {
  /**
   * How long attempts in flight may go on before they are aborted and put
   * back, uncounted, for the next worker.
   *
   * @default {5000}
   */
  graceMs?: number | undefined;
}
