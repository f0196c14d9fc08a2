/**
 * The receiver's side alone: {@linkcode WebhookVerifier} checks the
 * Standard Webhooks (v1) signature and timestamp of a webhook and returns its
 * JSON payload; {@linkcode WebhookVerificationError} and
 * {@linkcode isWebhookVerificationError} say why one was refused.
 *
 * Importing `@omoi/webhook-delivery/verify` loads none of the sender: a
 * receiver carries only the verifier and what it shares with the signer.
 * The package's main entry point exports the same names.
 *
 * @example Verifying a signed request
 * ```ts
 * import {
 *   isWebhookVerificationError,
 *   WebhookVerifier,
 * } from "@omoi/webhook-delivery/verify";
 * import assert from "node:assert/strict";
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
 * const verifier = new WebhookVerifier(secret);
 *
 * // What a sender puts on the wire: HMAC-SHA256 of "id.timestamp.body".
 * const id = "msg_1";
 * const timestamp = String(Math.floor(Date.now() / 1000));
 * const body = JSON.stringify({ event_type: "task.completed" });
 * const key = await crypto.subtle.importKey(
 *   "raw",
 *   Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0)),
 *   { name: "HMAC", hash: "SHA-256" },
 *   false,
 *   ["sign"],
 * );
 * const mac = await crypto.subtle.sign(
 *   "HMAC",
 *   key,
 *   new TextEncoder().encode(`${id}.${timestamp}.${body}`),
 * );
 * const headers = {
 *   "webhook-id": id,
 *   "webhook-timestamp": timestamp,
 *   "webhook-signature": `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`,
 * };
 *
 * const request = new Request("https://receiver.example/hooks", {
 *   method: "POST",
 *   headers,
 *   body,
 * });
 * assert.deepEqual(await verifier.verifyRequest(request), {
 *   event_type: "task.completed",
 * });
 *
 * // A changed body is refused, with a reason to answer with.
 * await assert.rejects(
 *   verifier.verify(body.replace("completed", "failed"), headers),
 *   (error) => isWebhookVerificationError(error) && error.reason === "no_matching_signature",
 * );
 * ```
 *
 * @module
 */
export { WebhookVerifier } from "./webhook_verifier.ts";
export type {
  WebhookHeaders,
  WebhookVerifierOptions,
} from "./webhook_verifier.ts";
export {
  isWebhookVerificationError,
  WebhookVerificationError,
} from "./webhook_verification_error.ts";
export type { WebhookVerificationReason } from "./webhook_verification_error.ts";
