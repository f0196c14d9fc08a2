import type { Logger } from "../log/logger.ts";

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
 * The largest request body the service sends by default, in bytes (1 MiB):
 * the JSON of a larger payload makes the delivery `invalid`.
 *
 * @example Allowing payloads up to 5 MiB
 * ```ts
 * import { DEFAULT_MAX_PAYLOAD_BYTES, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * console.log(DEFAULT_MAX_PAYLOAD_BYTES); // 1048576
 * const service = new WebhookDeliveryService({
 *   maxPayloadBytes: 5 * DEFAULT_MAX_PAYLOAD_BYTES,
 * });
 * ```
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;

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
 * Node.js 20+ and Bun fits it.
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
 * Resolves a host name to the IP addresses a request to it would reach, for
 * the destination guard ({@linkcode WebhookDeliveryOptions.blockPrivateNetworks}).
 * It should reject when the name cannot be resolved; `signal` aborts when the
 * delivery's `timeoutMs` runs out or the caller aborts.
 *
 * @example With Node.js's resolver, the one its `fetch` uses
 * ```ts
 * import { lookup } from "node:dns/promises";
 * import type { ResolveHostFunction } from "@omoi/webhook-delivery";
 *
 * const resolveHost: ResolveHostFunction = async (hostname) =>
 *   (await lookup(hostname, { all: true })).map((entry) => entry.address);
 * ```
 */
export type ResolveHostFunction = (
  hostname: string,
  options: { signal: AbortSignal },
) => Promise<readonly string[]>;

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
   * One delivery lasts at most `timeoutMs` × attempts plus the waits: with
   * the defaults, 4 × 10 s + 1 s + 2 s + 4 s = 47 s; `Retry-After` can
   * lengthen each wait up to `maxRetryAfterMs`, and `resolveHost` adds up to
   * one more `timeoutMs`.
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
   * The longest wait that a `Retry-After` header (seconds or an HTTP date)
   * of a retried response can ask for, in milliseconds. The wait before a retry is the longer of the
   * scheduled delay and `Retry-After`, with `Retry-After` cut to this value.
   *
   * @default {DEFAULT_MAX_RETRY_AFTER_MS} (60 000)
   */
  maxRetryAfterMs?: number | undefined;
  /**
   * Decides whether a 4xx or 5xx response is retried: exactly `true`
   * retries it; anything else, or a throw, ends the delivery at once with
   * the outcome `rejected`. 1xx and 3xx responses are never retried, and
   * redirects are never followed.
   *
   * @default {defaultRetryOnStatus} (`status >= 500`)
   */
  retryOnStatus?: ((status: number) => boolean) | undefined;
  /**
   * Headers sent with every request, such as `authorization`. Their values are
   * never logged. Reserved, and refused with a `TypeError`: `content-type`,
   * `content-length` and every `webhook-*` name, which the service sets, and
   * the connection headers `host`, `connection`, `keep-alive`,
   * `transfer-encoding`, `upgrade` and `expect` (Node.js's fetch refuses
   * them, Deno's ignores them). An `authorization` here wins over
   * credentials in the URL, and a `user-agent` replaces the service's
   * `omoi-webhook-delivery/<version>`.
   *
   * @default {{}}
   */
  headers?: Headers | Record<string, string> | [string, string][] | undefined;
  /**
   * Signs every request with this secret, following Standard Webhooks (v1):
   * each attempt carries `webhook-timestamp` (fresh on every attempt) and
   * `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
   * `{id}.{timestamp}.{body}`), which receivers check with
   * {@linkcode WebhookVerifier} or any Standard Webhooks library.
   *
   * A secret is `whsec_` followed by at least 24 random bytes in base64. To
   * rotate, pass an array: every secret signs, and the header carries all
   * signatures, so receivers that know any one of them accept. A malformed
   * secret throws a `TypeError` that never shows the secret.
   *
   * @default {undefined} (requests are not signed)
   */
  secret?: string | readonly string[] | undefined;
  /**
   * The largest request body sent, in bytes of JSON: a larger payload makes
   * the delivery `invalid` (error kind `invalid_payload`), and nothing is sent.
   *
   * @default {DEFAULT_MAX_PAYLOAD_BYTES} (1 MiB)
   */
  maxPayloadBytes?: number | undefined;
  /**
   * Refuses, before any request, destinations on the sender's own networks:
   * `localhost`, and IP addresses that are loopback, private (RFC 1918),
   * link-local (169.254.169.254 included), shared (CGNAT), unique-local IPv6,
   * unspecified, or IPv4-mapped forms of those. The delivery ends `invalid`
   * with the error kind `blocked_destination`.
   *
   * Without {@linkcode WebhookDeliveryOptions.resolveHost} only the URL's
   * host is checked, so a public name that resolves to a private address
   * passes. Turn this on when the URLs come from people you do not trust.
   *
   * @default {false}
   */
  blockPrivateNetworks?: boolean | undefined;
  /**
   * With `blockPrivateNetworks`, resolves a URL's host name so that the
   * addresses it resolves to are checked too; a delivery is refused when any
   * of them is blocked, or when `resolveHost` fails, answers nothing or takes
   * longer than `timeoutMs`. Needs `blockPrivateNetworks: true`.
   *
   * @default {undefined} (host names are not resolved)
   */
  resolveHost?: ResolveHostFunction | undefined;
  /**
   * Receives one structured record per attempt; the messages and fields are
   * listed with {@linkcode Logger}.
   *
   * @default {createJsonLogger()} (every record the service makes, errors
   * included, as JSON lines on standard output through `console.log`)
   */
  logger?: Logger | undefined;
  /**
   * The `fetch` used to send requests. It must honour `init.signal`, which
   * carries both the per-attempt timeout and the caller's signal. It receives
   * `init.headers` as a plain record and `init.body` as a `Uint8Array`, and
   * its response bodies are read through the same 64 KiB cap.
   *
   * @default {globalThis.fetch}
   */
  fetch?: FetchFunction | undefined;
}
