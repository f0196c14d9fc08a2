/**
 * Why a webhook failed verification, for code to switch on.
 *
 * - `missing_header`: `webhook-id`, `webhook-timestamp` or
 *   `webhook-signature` is absent or empty, or the `webhook-id` holds a `.`
 *   (which would make the signed content ambiguous).
 * - `invalid_timestamp`: `webhook-timestamp` is not an integer number of
 *   seconds.
 * - `timestamp_too_old`, `timestamp_too_new`: the timestamp is further from
 *   the receiver's clock than the tolerance allows: a replay, or clocks that
 *   disagree.
 * - `no_matching_signature`: no `v1` signature matches any of the secrets.
 *   Other versions are ignored, and at most 10 distinct `v1` signatures of
 *   a header are tried, so a forged header cannot make the receiver hash a
 *   body hundreds of times.
 * - `invalid_payload`: the signature matches, but the body is not JSON.
 *
 * @example Answering each reason with a status
 * ```ts
 * import type { WebhookVerificationReason } from "@omoi/webhook-delivery";
 *
 * function statusFor(reason: WebhookVerificationReason): number {
 *   return reason === "invalid_payload" ? 400 : 401;
 * }
 * ```
 */
export type WebhookVerificationReason =
  | "missing_header"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "no_matching_signature"
  | "invalid_payload";

const REASONS: ReadonlySet<string> = new Set<WebhookVerificationReason>([
  "missing_header",
  "invalid_timestamp",
  "timestamp_too_old",
  "timestamp_too_new",
  "no_matching_signature",
  "invalid_payload",
]);

// A registered symbol is the same in every realm and in every copy of this
// module, where the class itself is not.
const BRAND = Symbol.for("@omoi/webhook-delivery/WebhookVerificationError");

/**
 * Thrown by {@linkcode WebhookVerifier} when a webhook cannot be trusted. Its
 * `reason` says why; its message explains it for people and never holds a
 * secret.
 *
 * @example Telling a bad signature from a replay
 * ```ts
 * import { WebhookVerificationError } from "@omoi/webhook-delivery";
 *
 * function describe(error: WebhookVerificationError): string {
 *   switch (error.reason) {
 *     case "timestamp_too_old":
 *     case "timestamp_too_new":
 *       return "stale or replayed webhook, or a clock that is off";
 *     case "no_matching_signature":
 *       return "not signed with our secret";
 *     default:
 *       return "malformed webhook";
 *   }
 * }
 * console.log(describe(new WebhookVerificationError("timestamp_too_old", "Too old")));
 * ```
 */
export class WebhookVerificationError extends Error {
  /** Why verification failed. */
  readonly reason: WebhookVerificationReason;

  /**
   * Creates the error; {@linkcode WebhookVerifier} is what normally does.
   *
   * @example
   * ```ts
   * import { WebhookVerificationError } from "@omoi/webhook-delivery";
   *
   * const error = new WebhookVerificationError(
   *   "missing_header",
   *   "Cannot verify webhook as the 'webhook-signature' header is missing",
   * );
   * console.log(error.reason); // "missing_header"
   * ```
   *
   * @param reason Why verification failed.
   * @param message What failed, for people; it must not hold a secret.
   */
  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Tells whether `value` is a {@linkcode WebhookVerificationError}, also when
 * it comes from another realm or another copy of this package, where
 * `instanceof` answers `false`.
 *
 * @example Answering 401 for a webhook that fails verification
 * ```ts
 * import { isWebhookVerificationError, WebhookVerifier } from "@omoi/webhook-delivery";
 *
 * const verifier = new WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
 *
 * async function handle(request: Request): Promise<Response> {
 *   try {
 *     const event = await verifier.verifyRequest(request);
 *     console.log("received", event);
 *     return new Response(null, { status: 204 });
 *   } catch (error) {
 *     if (isWebhookVerificationError(error)) {
 *       return new Response(error.reason, { status: 401 });
 *     }
 *     throw error;
 *   }
 * }
 *
 * const response = await handle(new Request("http://localhost/hooks", { method: "POST", body: "{}" }));
 * console.log(response.status); // 401
 * ```
 *
 * @param value Anything, typically a caught error.
 * @returns `true` when `value` is a verification error with a known reason.
 */
export function isWebhookVerificationError(
  value: unknown,
): value is WebhookVerificationError {
  if (value instanceof WebhookVerificationError) return true;
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { [BRAND]?: unknown; reason?: unknown };
  return candidate[BRAND] === true && typeof candidate.reason === "string" &&
    REASONS.has(candidate.reason);
}
