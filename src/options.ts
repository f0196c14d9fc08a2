import type { Logger } from "./logger.ts";

/**
 * How long one attempt may take, from sending the request to reading the end
 * of the response, in milliseconds.
 *
 * @example The value
 * ```ts
 * import { DEFAULT_TIMEOUT_MS } from "@omoi/webhook-delivery";
 *
 * console.log(DEFAULT_TIMEOUT_MS); // 10000
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The waits before each retry, in milliseconds: one first attempt and three
 * retries, 1 s, 2 s and 4 s apart, so a receiver that is down for a few
 * seconds (a deploy, a restart) still gets the event within about 7 s.
 *
 * @example Adding a fourth retry to the default schedule
 * ```ts
 * import { DEFAULT_RETRY_DELAYS_MS, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   retryDelaysMs: [...DEFAULT_RETRY_DELAYS_MS, 8_000],
 * });
 * ```
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  1_000,
  2_000,
  4_000,
]);

/**
 * The longest wait a `Retry-After` response header can ask for, in
 * milliseconds; longer requests are shortened to it.
 *
 * @example The value
 * ```ts
 * import { DEFAULT_MAX_RETRY_AFTER_MS } from "@omoi/webhook-delivery";
 *
 * console.log(DEFAULT_MAX_RETRY_AFTER_MS); // 60000
 * ```
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * The default of {@linkcode WebhookDeliveryOptions.retryOnStatus}: retry
 * server errors (500 and above) and nothing else.
 *
 * @example Also retrying 429 Too Many Requests
 * ```ts
 * import { defaultRetryOnStatus, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   retryOnStatus: (status) => status === 429 || defaultRetryOnStatus(status),
 * });
 * ```
 *
 * @param status The HTTP status of a response that was not a success.
 * @returns `true` when the status is 500 or above.
 */
export function defaultRetryOnStatus(status: number): boolean {
  return status >= 500;
}

/**
 * The shape of `fetch` that the service calls: the global `fetch` of Deno,
 * Node.js 20+, Bun and edge runtimes fits it.
 *
 * @example Wrapping the global fetch
 * ```ts
 * import type { FetchFunction } from "@omoi/webhook-delivery";
 *
 * const counted: FetchFunction = (url, init) => {
 *   console.log("POST", url);
 *   return fetch(url, init);
 * };
 * ```
 */
export type FetchFunction = (
  url: string,
  init: RequestInit,
) => Promise<Response>;

/**
 * Options of a {@linkcode WebhookDeliveryService}; every one is optional.
 *
 * @example A service for a receiver that asks clients to slow down with 429
 * ```ts
 * import { createJsonLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   timeoutMs: 5_000,
 *   retryDelaysMs: [500, 1_000, 2_000, 4_000],
 *   jitter: 0.2,
 *   retryOnStatus: (status) => status === 429 || status >= 500,
 *   headers: { authorization: "Bearer example-token" },
 *   logger: createJsonLogger({ level: "warn" }),
 * });
 * ```
 */
export interface WebhookDeliveryOptions {
  /**
   * How long one attempt may take, in milliseconds, from sending the request
   * to reading the end of the response. An attempt that runs out of time ends
   * with the error kind `timeout` and is retried.
   *
   * @default {DEFAULT_TIMEOUT_MS} (10 000)
   */
  timeoutMs?: number | undefined;
  /**
   * The wait before each retry, in milliseconds: one retry per entry, so
   * `[]` sends once and never retries.
   *
   * @default {DEFAULT_RETRY_DELAYS_MS} ([1 000, 2 000, 4 000]: 4 attempts)
   */
  retryDelaysMs?: readonly number[] | undefined;
  /**
   * How much of each wait may be cut at random, as a fraction from 0 to 1, so
   * that many senders failing at once do not retry in lockstep: a wait of `d`
   * becomes a random value between `d × (1 − jitter)` and `d`.
   *
   * @default {0} (the exact schedule)
   */
  jitter?: number | undefined;
  /**
   * The longest wait that a `Retry-After` header of a retried response can
   * ask for, in milliseconds. The wait before a retry is the longer of the
   * scheduled delay and `Retry-After`, with `Retry-After` cut to this value.
   *
   * @default {DEFAULT_MAX_RETRY_AFTER_MS} (60 000)
   */
  maxRetryAfterMs?: number | undefined;
  /**
   * Decides whether a response that is not a success (2xx) is retried. A
   * `false` ends the delivery at once with the outcome `rejected`. If the
   * function throws, the response is not retried.
   *
   * @default {defaultRetryOnStatus} (`status >= 500`)
   */
  retryOnStatus?: ((status: number) => boolean) | undefined;
  /**
   * Headers sent with every request, such as `authorization`. Their values are
   * never logged. `content-type`, `content-length` and the `webhook-*` headers
   * are set by the service and cannot be given here.
   *
   * @default {{}}
   */
  headers?: Headers | Record<string, string> | [string, string][] | undefined;
  /**
   * Receives one structured record per attempt.
   *
   * @default {createJsonLogger()} (JSON lines on the console, `info` and above)
   */
  logger?: Logger | undefined;
  /**
   * The `fetch` used to send requests. It must honour `init.signal`, which
   * carries both the per-attempt timeout and the caller's signal.
   *
   * @default {globalThis.fetch}
   */
  fetch?: FetchFunction | undefined;
}
