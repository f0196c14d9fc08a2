import type { DeliveryAttempt } from "../send/delivery_result.ts";
import type { MessageRecord, MessageStatus } from "./store.ts";

/** What every store reads of a message to show it; times in milliseconds. */
export interface StoredMessageFields {
  id: string;
  loggedUrl: string;
  endpoint: string;
  status: MessageStatus;
  createdAt: number;
  updatedAt: number;
  nextAttemptAt: number;
  /** Whether a lease on it has not expired. */
  leased: boolean;
  deadReason: string | null | undefined;
  attempts: DeliveryAttempt[];
}

/** A stored message as inspection shows it: ISO times, the redacted URL. */
export function messageRecord(fields: StoredMessageFields): MessageRecord {
  const pending = fields.status === "pending";
  return {
    id: fields.id,
    url: fields.loggedUrl,
    endpoint: fields.endpoint,
    status: fields.status,
    createdAt: new Date(fields.createdAt).toISOString(),
    updatedAt: new Date(fields.updatedAt).toISOString(),
    nextAttemptAt: pending
      ? new Date(fields.nextAttemptAt).toISOString()
      : null,
    inFlight: pending && fields.leased,
    ...(fields.deadReason == null ? {} : { deadReason: fields.deadReason }),
    attempts: fields.attempts,
  };
}
