/**
 * Reliable JSON webhook delivery for Deno, Node.js 20+ and Bun, with
 * nothing but web standards at run time.
 *
 * {@linkcode WebhookDeliveryService.deliver} POSTs a payload as JSON and
 * resolves `true` or `false`: it retries what can succeed later (5xx,
 * timeouts, network errors) 1 s, 2 s and 4 s apart, gives up at once on what
 * cannot (4xx, redirects, bad input), and leaves one structured log record
 * per attempt. It never rejects, so it never crashes the caller.
 *
 * With a `secret`, every request is signed as the Standard Webhooks
 * specification describes; receivers check it with
 * {@linkcode WebhookVerifier}, also exported alone by
 * `@omoi/webhook-delivery/verify`, which loads none of the sender.
 * `blockPrivateNetworks` keeps deliveries out of the sender's own networks.
 *
 * The reference lives here, in the JSDoc: the options in
 * {@linkcode WebhookDeliveryOptions}, the result in
 * {@linkcode DeliveryResult}, {@linkcode DeliveryOutcome} and
 * {@linkcode DeliveryErrorKind}, and the log messages, fields and redaction
 * rule in {@linkcode Logger}.
 *
 * @example Deliver an event
 * ```ts
 * import { WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   // A stand-in receiver, so the example runs anywhere; leave `fetch` out
 *   // to send real requests.
 *   fetch: () => Promise.resolve(new Response(null, { status: 204 })),
 * });
 * const ok = await service.deliver("https://receiver.example/hooks", {
 *   event_type: "task.completed",
 *   task_id: "task_42",
 * });
 * console.log(ok); // true
 * ```
 *
 * @module
 */
export { WebhookDeliveryService } from "./src/send/webhook_delivery_service.ts";
export type { SendOptions } from "./src/send/webhook_delivery_service.ts";
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_TIMEOUT_MS,
  defaultRetryOnStatus,
} from "./src/send/options.ts";
export type {
  FetchFunction,
  ResolveHostFunction,
  WebhookDeliveryOptions,
} from "./src/send/options.ts";
export type {
  DeliveryAttempt,
  DeliveryError,
  DeliveryErrorKind,
  DeliveryOutcome,
  DeliveryResult,
} from "./src/send/delivery_result.ts";
export { silentLogger } from "./src/log/logger.ts";
export type { Logger, LogLevel } from "./src/log/logger.ts";
export { createJsonLogger } from "./src/log/json_logger.ts";
export type { JsonLoggerOptions } from "./src/log/json_logger.ts";
export { WebhookVerifier } from "./src/verify/webhook_verifier.ts";
export type {
  WebhookHeaders,
  WebhookVerifierOptions,
} from "./src/verify/webhook_verifier.ts";
export {
  isWebhookVerificationError,
  WebhookVerificationError,
} from "./src/verify/webhook_verification_error.ts";
export type { WebhookVerificationReason } from "./src/verify/webhook_verification_error.ts";
export { WebhookQueue } from "./src/queue/webhook_queue.ts";
export type { EnqueueItem } from "./src/queue/webhook_queue.ts";
export { DEFAULT_QUEUE_RETRY_DELAYS_MS } from "./src/queue/options.ts";
export type {
  CircuitBreakerOptions,
  CloseOptions,
  EnqueueOptions,
  WebhookQueueOptions,
} from "./src/queue/options.ts";
export type { WebhookQueueEvent } from "./src/queue/events.ts";
export { MemoryStore } from "./src/queue/memory_store.ts";
export type {
  AttemptDecision,
  AttemptResult,
  BreakerSettings,
  ClaimedMessage,
  ClaimOptions,
  ClaimResult,
  EndpointChange,
  EndpointHealth,
  EndpointRecord,
  EndpointStatus,
  EnqueueResult,
  ListOptions,
  MessagePage,
  MessageRecord,
  MessageStatus,
  NewMessage,
  RecordOutcome,
  ReplayFilter,
  StoreEnqueueOptions,
  StoreStats,
  WebhookStore,
} from "./src/queue/store.ts";
