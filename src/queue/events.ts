import type { DeliveryAttempt } from "../send/delivery_result.ts";

/**
 * Something that happened to a message or an endpoint, as
 * {@linkcode WebhookQueueOptions.onEvent} receives it. Times are ISO 8601.
 *
 * @example Alerting on dead messages
 * ```ts
 * import { silentLogger, WebhookQueue, type WebhookQueueEvent } from "@omoi/webhook-delivery";
 *
 * const onEvent = (event: WebhookQueueEvent) => {
 *   if (event.type === "dead") console.warn(`gave up on ${event.id}: ${event.reason}`);
 * };
 * await using queue = new WebhookQueue({ onEvent, logger: silentLogger });
 * ```
 */
export type WebhookQueueEvent =
  | {
    type: "delivered";
    id: string;
    endpoint: string;
    attempt: DeliveryAttempt;
  }
  | {
    type: "retrying";
    id: string;
    endpoint: string;
    /** Absent when nothing was sent (the destination check failed to finish). */
    attempt?: DeliveryAttempt;
    nextAttemptAt: string;
  }
  | {
    type: "dead";
    id: string;
    endpoint: string;
    reason: string;
    attempt?: DeliveryAttempt;
  }
  | {
    type: "endpoint.paused";
    endpoint: string;
    /** Consecutive failures that tripped the breaker. */
    failures: number;
    until: string;
  }
  | { type: "endpoint.resumed"; endpoint: string }
  | { type: "endpoint.disabled"; endpoint: string; reason: string };
