import type { DeliveryResult } from "./delivery_result.ts";
import type { WebhookDeliveryOptions } from "./options.ts";
import { delay } from "./_abort.ts";
import { normalizeOptions } from "./_normalize_options.ts";
import { type AttemptStep, Sender } from "./_sender.ts";
import { ENDINGS } from "./_endings.ts";

/**
 * Per-delivery options of {@linkcode WebhookDeliveryService.send} and
 * {@linkcode WebhookDeliveryService.deliver}.
 *
 * @example Giving a delivery a stable id and a deadline
 * ```ts
 * import type { SendOptions } from "@omoi/webhook-delivery";
 *
 * const options: SendOptions = {
 *   id: "evt_2f1c9a",
 *   headers: { "x-tenant": "acme" },
 *   signal: AbortSignal.timeout(30_000),
 * };
 * ```
 */
export interface SendOptions {
  /**
   * The delivery id, sent as the `webhook-id` header on every attempt so the
   * receiver can drop duplicates. Use your event's id to make deliveries of
   * the same event share it. 1 to 256 visible ASCII characters, no `.`.
   *
   * @default {crypto.randomUUID()}
   */
  id?: string | undefined;
  /**
   * Headers for this delivery only, added to (and overriding) the service's
   * `headers`. Their values are never logged.
   *
   * @default {{}}
   */
  headers?: WebhookDeliveryOptions["headers"];
  /**
   * Aborts the delivery: the request in flight or the wait before the next
   * attempt ends at once, and the outcome is `aborted`.
   */
  signal?: AbortSignal | undefined;
}

/**
 * Delivers JSON webhooks over HTTP: it POSTs the payload, retries what can
 * succeed later (5xx, timeouts, network errors) on a fixed schedule, gives up
 * at once on what cannot (4xx, redirects, bad input), and leaves one
 * structured log record per attempt.
 *
 * Its methods never reject for a delivery problem or bad input: they resolve,
 * and they log. A service holds no connections or timers of its own, so one
 * instance can be shared by the whole application.
 *
 * @example Notifying a monitoring system that a task completed
 * ```ts
 * import { WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   // A stand-in for the monitoring system, so the example runs anywhere;
 *   // leave `fetch` out to send real requests.
 *   fetch: () => Promise.resolve(new Response(null, { status: 204 })),
 * });
 * const ok = await service.deliver(
 *   "https://monitoring.example/hooks/tasks",
 *   { event_type: "task.completed", task_id: "task_42" },
 * );
 * if (!ok) console.error("The monitoring system did not get the event");
 * ```
 */
export class WebhookDeliveryService {
  readonly #sender: Sender;

  /**
   * Creates a service; every option is optional.
   *
   * @example A service with a shorter timeout and some jitter
   * ```ts
   * import { WebhookDeliveryService } from "@omoi/webhook-delivery";
   *
   * const service = new WebhookDeliveryService({ timeoutMs: 5_000, jitter: 0.1 });
   * ```
   *
   * @param options How to send, retry and log.
   * @throws {RangeError} When a number is out of range, naming the option and its value.
   * @throws {TypeError} When `headers` are malformed or reserved, when a
   * `secret` is malformed (naming the problem, never the secret), or when
   * `logger`, `fetch`, `retryOnStatus`, `blockPrivateNetworks` or
   * `resolveHost` are not of the right shape.
   */
  constructor(options: WebhookDeliveryOptions = {}) {
    this.#sender = new Sender(normalizeOptions(options ?? {}));
  }

  /**
   * Delivers `payload` as JSON to `url` and resolves `true` once a 2xx
   * response has arrived with its body (to the end, or its first 64 KiB),
   * `false` otherwise. Never rejects.
   *
   * @example A receiver that is down: `false`, never an exception
   * ```ts
   * import { silentLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
   * import assert from "node:assert/strict";
   *
   * const service = new WebhookDeliveryService({
   *   retryDelaysMs: [10, 10],
   *   logger: silentLogger,
   * });
   * // Nothing listens on a `.invalid` host: three attempts, then `false`.
   * const ok = await service.deliver("http://monitoring.invalid/hooks", {
   *   event_type: "agent.stuck",
   *   agent_id: "agent_7",
   * });
   * assert.equal(ok, false);
   * ```
   *
   * @param url Where to POST; must be `http:` or `https:`.
   * @param payload Anything `JSON.stringify` can turn into JSON.
   * @param options The delivery's id, extra headers and abort signal.
   * @returns Whether the receiver accepted the webhook.
   */
  async deliver(
    url: string | URL,
    payload: unknown,
    options?: SendOptions,
  ): Promise<boolean> {
    return (await this.send(url, payload, options)).ok;
  }

  /**
   * Delivers `payload` as JSON to `url`, like
   * {@linkcode WebhookDeliveryService.deliver}, and resolves the full
   * {@linkcode DeliveryResult}: outcome, id and every attempt. Never rejects.
   *
   * @example Keeping the result of a delivery
   * ```ts
   * import { silentLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
   * import assert from "node:assert/strict";
   *
   * // A stand-in receiver that fails once, then accepts.
   * let calls = 0;
   * const service = new WebhookDeliveryService({
   *   retryDelaysMs: [10],
   *   logger: silentLogger,
   *   fetch: () =>
   *     Promise.resolve(new Response(null, { status: ++calls === 1 ? 503 : 200 })),
   * });
   * const result = await service.send(
   *   "https://monitoring.example/hooks",
   *   { event_type: "task.failed", task_id: "task_42" },
   *   { id: "evt_task_42_failed" },
   * );
   * assert.equal(result.outcome, "delivered");
   * assert.deepEqual(result.attempts.map((attempt) => attempt.status), [503, 200]);
   * ```
   *
   * @param url Where to POST; must be `http:` or `https:`.
   * @param payload Anything `JSON.stringify` can turn into JSON.
   * @param options The delivery's id, extra headers and abort signal.
   * @returns What happened, attempt by attempt.
   */
  async send(
    url: string | URL,
    payload: unknown,
    options?: SendOptions,
  ): Promise<DeliveryResult> {
    const startedAt = performance.now();
    const sender = this.#sender;
    const delivery = sender.prepare(url, payload, options);
    const attempts: DeliveryResult["attempts"] = [];
    const finish = (
      { ending = "invalid", error }: AttemptStep,
    ): DeliveryResult => ({
      ok: ending === "delivered",
      id: delivery.id,
      outcome: ENDINGS[ending].outcome,
      attempts,
      durationMs: Math.round(performance.now() - startedAt),
      ...(error ? { error } : {}),
    });
    if (delivery.error) return finish(sender.invalid(delivery));

    try {
      const refused = await sender.guard(delivery);
      if (refused) return finish(refused);
      const schedule = sender.options.retryDelaysMs;
      for (let number = 1;; number++) {
        const step = await sender.attempt(delivery, {
          number,
          maxAttempts: schedule.length + 1,
          nextDelayMs: schedule[number - 1],
        });
        if (step.attempt) attempts.push(step.attempt);
        if (step.ending) return finish(step);
        await delay(step.attempt?.retryInMs ?? 0, delivery.signal?.signal);
      }
    } finally {
      delivery.signal?.release();
    }
  }
}
