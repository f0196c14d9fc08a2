import { safeGet } from "../_shared/_safe_text.ts";
import { Sender } from "../send/_sender.ts";
import {
  checkListOptions,
  checkReplayFilter,
  checkString,
} from "./_inspection_arguments.ts";
import { newMessage } from "./_new_message.ts";
import {
  type NormalizedQueueOptions,
  normalizeQueueOptions,
} from "./_normalize_queue_options.ts";
import { Worker } from "./_worker.ts";
import type {
  CloseOptions,
  EnqueueOptions,
  WebhookQueueOptions,
} from "./options.ts";
import type {
  EndpointRecord,
  EnqueueResult,
  ListOptions,
  MessagePage,
  MessageRecord,
  ReplayFilter,
  StoreStats,
} from "./store.ts";

/**
 * A message to store with {@linkcode WebhookQueue.enqueueMany}.
 *
 * @example Storing a batch in one transaction
 * ```ts
 * import { type EnqueueItem, silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue({ logger: silentLogger });
 * const items: EnqueueItem[] = ["task_1", "task_2"].map((task_id) => ({
 *   url: "https://monitoring.example/hooks",
 *   payload: { event_type: "task.completed", task_id },
 * }));
 * const stored = await queue.enqueueMany(items);
 * console.log(stored.length); // 2
 * ```
 */
export interface EnqueueItem {
  /** Where to POST; must be `http:` or `https:`. */
  url: string | URL;
  /** Anything `JSON.stringify` can turn into JSON. */
  payload: unknown;
  /** The message's id, headers and endpoint key. */
  options?: EnqueueOptions | undefined;
}

/**
 * A durable webhook queue: `enqueue()` resolves once the message is stored,
 * and workers deliver it in the background, one attempt per claim, with the
 * schedule, the lease and every attempt kept in the store, so that a
 * restart loses nothing. Concurrency is bounded per process and per
 * endpoint, a failing endpoint is paused by a circuit breaker, and a
 * `410 Gone` disables its endpoint. Every attempt is logged as `send()`
 * logs it.
 *
 * @example Enqueue, deliver in the background, inspect
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import assert from "node:assert/strict";
 *
 * const delivered = Promise.withResolvers<string>();
 * await using queue = new WebhookQueue({
 *   logger: silentLogger,
 *   // A stand-in receiver that accepts everything.
 *   fetch: () => Promise.resolve(new Response(null, { status: 204 })),
 *   onEvent: (event) => {
 *     if (event.type === "delivered") delivered.resolve(event.id);
 *   },
 * });
 * queue.start();
 * const { id } = await queue.enqueue("https://monitoring.example/hooks", {
 *   event_type: "task.completed",
 *   task_id: "task_42",
 * });
 * assert.equal(await delivered.promise, id);
 * assert.equal((await queue.get(id))?.status, "delivered");
 * ```
 */
export class WebhookQueue implements AsyncDisposable {
  readonly #options: NormalizedQueueOptions;
  readonly #sender: Sender;
  readonly #worker: Worker;
  #closing: Promise<void> | undefined;

  /**
   * @param options The store, the limits, the circuit breaker and every sender option.
   * @throws {RangeError} When a number is out of range, naming the option and its value.
   * @throws {TypeError} When an option is not of the right shape.
   */
  /** Checks the options and builds the sender; nothing is claimed before `start()`. */
  constructor(options: WebhookQueueOptions = {}) {
    this.#options = normalizeQueueOptions(options ?? {});
    this.#sender = new Sender(this.#options.sender);
    this.#worker = new Worker(this.#options, this.#sender);
  }

  /**
   * Begins claiming and delivering due messages from this process. A
   * process that only enqueues never calls it.
   */
  start(): void {
    if (this.#closing) throw new Error("The WebhookQueue is closed");
    this.#worker.start();
  }

  /**
   * Checks the message as `send()` would and stores it; resolves once it is
   * stored (durably, with a durable store). Delivery happens in the
   * background of whichever process has called `start()`.
   *
   * @param url Where to POST; must be `http:` or `https:`.
   * @param payload Anything `JSON.stringify` can turn into JSON.
   * @param options The message's id (its idempotency key), headers and endpoint key.
   * @returns Its id, and `duplicate: true` when that id was stored already.
   * @throws {TypeError} When the URL, payload, id, headers or endpoint cannot be sent.
   * @throws {RangeError} When the payload is larger than `maxPayloadBytes`.
   * @throws The store's error when it cannot store the message.
   */
  async enqueue(
    url: string | URL,
    payload: unknown,
    options?: EnqueueOptions,
  ): Promise<{ id: string; duplicate: boolean }> {
    const transaction = safeGet(options, "transaction");
    const [result] = await this.enqueueMany(
      [{ url, payload, options }],
      transaction === undefined ? {} : { transaction },
    );
    return result!;
  }

  /**
   * Stores several messages in one transaction: all of them, or (when one
   * is invalid or the store fails) none.
   *
   * @param items The messages, each as `enqueue()` takes it.
   * @param options `transaction`: your open transaction to store them in, as {@linkcode EnqueueOptions.transaction}.
   * @throws {TypeError} When an item cannot be sent, naming its index.
   * @throws {RangeError} When a payload is larger than `maxPayloadBytes`.
   */
  async enqueueMany(
    items: readonly EnqueueItem[],
    options: { transaction?: unknown } = {},
  ): Promise<{ id: string; duplicate: boolean }[]> {
    if (this.#closing) throw new Error("The WebhookQueue is closed");
    const now = Date.now();
    const messages = Array.from(items, (item, index) => {
      try {
        return newMessage(
          this.#sender,
          item.url,
          item.payload,
          item.options,
          now,
        );
      } catch (error) {
        if (items.length > 1 && error instanceof Error) {
          error.message = `Item ${index}: ${error.message}`;
        }
        throw error;
      }
    });
    const stored: EnqueueResult[] = await this.#options.store.enqueue(
      messages,
      options.transaction === undefined
        ? undefined
        : { transaction: options.transaction },
    );
    if (
      stored.some((result) => !result.duplicate && result.status === "pending")
    ) {
      this.#worker.wake();
    }
    return stored.map(({ id, duplicate }) => ({ id, duplicate }));
  }

  /** A message with its status, attempts and next attempt time; `undefined` when unknown. */
  async get(id: string): Promise<MessageRecord | undefined> {
    return await this.#options.store.get(checkString("id", id));
  }

  /**
   * Messages oldest first, by status and endpoint, a page at a time.
   *
   * @throws {RangeError} When `limit` is not an integer from 1 to 1000.
   * @throws {TypeError} When `status`, `endpoint` or `cursor` is not one a store knows.
   */
  async list(options?: ListOptions): Promise<MessagePage> {
    return await this.#options.store.list(checkListOptions(options));
  }

  /** Counts by status, messages in flight, and disabled endpoints. */
  stats(): Promise<StoreStats> {
    return this.#options.store.stats(Date.now());
  }

  /**
   * Every endpoint the store knows of, with its messages by status and
   * whether it is active, paused or probing by the circuit breaker, or
   * disabled.
   *
   * @example Listing paused and disabled endpoints
   * ```ts
   * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
   *
   * await using queue = new WebhookQueue({ logger: silentLogger });
   * await queue.disableEndpoint("monitoring.example", "retired");
   * const [endpoint] = await queue.endpoints();
   * console.log(endpoint?.status, endpoint?.disabledReason); // "disabled" "retired"
   * ```
   */
  endpoints(): Promise<EndpointRecord[]> {
    return this.#options.store.endpoints(Date.now());
  }

  /**
   * Sends a dead or delivered message again, with its schedule restarted;
   * `false` when it is unknown or still pending.
   */
  async replay(id: string): Promise<boolean> {
    const replayed = await this.#options.store.replay(
      checkString("id", id),
      Date.now(),
    );
    if (replayed) this.#worker.wake();
    return replayed;
  }

  /**
   * Sends again every dead message of an endpoint and a time range; returns how many.
   *
   * @throws {TypeError} When `endpoint` is not a string or `since`/`until` are not finite numbers.
   */
  async replayDead(filter: ReplayFilter = {}): Promise<number> {
    const count = await this.#options.store.replayDead(
      checkReplayFilter(filter),
      Date.now(),
    );
    if (count > 0) this.#worker.wake();
    return count;
  }

  /** Lets a disabled endpoint receive again (its dead messages stay dead until replayed). */
  async enableEndpoint(endpoint: string): Promise<boolean> {
    return await this.#options.store.enableEndpoint(
      checkString("endpoint", endpoint),
    );
  }

  /**
   * Disables an endpoint by hand: its pending messages go dead, and new ones
   * are stored dead, until {@linkcode WebhookQueue.enableEndpoint}.
   */
  async disableEndpoint(endpoint: string, reason: string): Promise<number> {
    return await this.#options.store.disableEndpoint(
      checkString("endpoint", endpoint),
      checkString("reason", reason),
      Date.now(),
    );
  }

  /**
   * Stops claiming, lets attempts in flight finish for `graceMs`, aborts the
   * rest and puts them back uncounted, then closes the store. Safe to call
   * more than once.
   */
  close(options: CloseOptions = {}): Promise<void> {
    return this.#closing ??= (async () => {
      await this.#worker.stop(options.graceMs ?? 5_000);
      await this.#options.store.close();
    })();
  }

  /** Calls {@linkcode WebhookQueue.close} with its defaults. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
