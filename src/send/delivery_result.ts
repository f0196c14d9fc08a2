/**
 * How a delivery ended.
 *
 * - `delivered`: a 2xx response arrived, and its body to the end (or its
 *   first 64 KiB).
 * - `rejected`: a response that is not retried (4xx, 3xx and whatever
 *   `retryOnStatus` declines), so retrying is pointless.
 * - `exhausted`: every attempt failed in a way worth retrying.
 * - `invalid`: the URL, payload, id or headers were unusable, or the
 *   destination guard refused the URL; nothing was sent. Also when the
 *   runtime's permissions forbid the request (error kind
 *   `permission_denied`): retrying cannot help until the program runs with
 *   them.
 * - `aborted`: the caller's signal fired.
 *
 * @example Deciding when to alert
 * ```ts
 * import type { DeliveryOutcome } from "@omoi/webhook-delivery";
 *
 * function shouldAlert(outcome: DeliveryOutcome): boolean {
 *   return outcome === "rejected" || outcome === "exhausted";
 * }
 * ```
 */
export type DeliveryOutcome =
  | "delivered"
  | "rejected"
  | "exhausted"
  | "invalid"
  | "aborted";

/**
 * Why an attempt produced no usable response, or why a delivery was invalid.
 *
 * - `timeout`: no complete response within `timeoutMs` (retried).
 * - `connection_refused`, `connection_reset`, `dns`, `tls`, `network`: the
 *   request or response did not make it across the network (retried).
 * - `aborted`: the caller's signal fired.
 * - `permission_denied`: the runtime refused to make the request, such as
 *   Deno without `--allow-net` for the host; the message names the missing
 *   `--allow-net` flag. Not retried: the delivery ends `invalid` at once.
 * - `invalid_url`, `invalid_payload`, `invalid_id`, `invalid_headers`,
 *   `invalid_signal`: the input was unusable and nothing was sent.
 *   `invalid_payload` is a payload `JSON.stringify` cannot serialize
 *   (`undefined`, a function, a symbol, a BigInt, a cycle) or whose JSON is
 *   larger than `maxPayloadBytes`; empty payloads (`{}`, `[]`, `null`, `""`)
 *   are valid and sent.
 * - `invalid_secret`: the runtime's Web Crypto could not sign with the
 *   `secret`; nothing more was sent.
 * - `blocked_destination`: `blockPrivateNetworks` refused the URL because it
 *   points into a private network, or could not be checked; nothing was sent.
 *
 * @example Grouping error kinds
 * ```ts
 * import type { DeliveryErrorKind } from "@omoi/webhook-delivery";
 *
 * const unreachable: DeliveryErrorKind[] = ["connection_refused", "dns"];
 * ```
 */
export type DeliveryErrorKind =
  | "timeout"
  | "connection_refused"
  | "connection_reset"
  | "dns"
  | "tls"
  | "network"
  | "aborted"
  | "permission_denied"
  | "invalid_url"
  | "invalid_payload"
  | "invalid_id"
  | "invalid_headers"
  | "invalid_signal"
  | "invalid_secret"
  | "blocked_destination";

/**
 * A machine-readable kind with a human-readable message.
 *
 * @example An error as it appears in a result
 * ```ts
 * import type { DeliveryError } from "@omoi/webhook-delivery";
 *
 * const error: DeliveryError = { kind: "dns", message: "Name or service not known" };
 * ```
 */
export interface DeliveryError {
  /** What went wrong, for code to switch on. */
  kind: DeliveryErrorKind;
  /**
   * What went wrong, for people. Any URL quoted in it is redacted as log
   * records redact them (see {@linkcode Logger}): no credentials, no
   * fragment, query values as `REDACTED`.
   */
  message: string;
}

/**
 * One HTTP attempt of a delivery: it has either a `status` or an `error`.
 *
 * @example A failed first attempt that will be retried
 * ```ts
 * import type { DeliveryAttempt } from "@omoi/webhook-delivery";
 *
 * const attempt: DeliveryAttempt = {
 *   number: 1,
 *   startedAt: "2026-11-28T12:00:00.000Z",
 *   durationMs: 12,
 *   status: 503,
 *   retryInMs: 1_000,
 * };
 * ```
 */
export interface DeliveryAttempt {
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  number: number;
  /** When the attempt started, as an ISO 8601 timestamp. */
  startedAt: string;
  /** How long the attempt took, in whole milliseconds. */
  durationMs: number;
  /** The response status, when a complete response was received. */
  status?: number;
  /** Why no complete response was received. */
  error?: DeliveryError;
  /** The wait before the next attempt, when there is one, in milliseconds. */
  retryInMs?: number;
  /**
   * The start of the response's body (at most 500 characters, as the log
   * record's `responseExcerpt`), for a response that did not deliver and
   * had a body: what the receiver said about the failure.
   */
  responseExcerpt?: string;
}

/**
 * Everything {@linkcode WebhookDeliveryService.send} knows about a delivery.
 *
 * @example Summarizing a result
 * ```ts
 * import type { DeliveryResult } from "@omoi/webhook-delivery";
 *
 * function describe(result: DeliveryResult): string {
 *   const last = result.attempts.at(-1);
 *   return `${result.id}: ${result.outcome} after ${result.attempts.length} attempt(s)` +
 *     (last?.status ? `, last status ${last.status}` : "");
 * }
 * ```
 */
export interface DeliveryResult {
  /** `true` exactly when `outcome` is `delivered`. */
  ok: boolean;
  /** The delivery id, sent as the `webhook-id` header on every attempt. */
  id: string;
  /** How the delivery ended. */
  outcome: DeliveryOutcome;
  /** Every attempt made, in order; empty when nothing was sent. */
  attempts: DeliveryAttempt[];
  /** How long the whole delivery took, waits included, in whole milliseconds. */
  durationMs: number;
  /**
   * Why the delivery ended, when its last attempt does not say: the reason
   * for `invalid`, and `aborted` when the signal fired before the first
   * attempt or during a wait between attempts.
   */
  error?: DeliveryError;
}
