import type { Logger, LogLevel } from "../log/logger.ts";
import type { DeliveryError, DeliveryOutcome } from "./delivery_result.ts";

/**
 * Every way an attempt or a delivery can end, with the level, message and
 * outcome its log record carries. `retrying` ends an attempt, not the
 * delivery; the others end both.
 */
export const ENDINGS = {
  delivered: {
    level: "info",
    message: "Webhook delivered",
    outcome: "delivered",
  },
  retrying: {
    level: "warn",
    message: "Webhook attempt failed, will retry",
    outcome: "retrying",
  },
  rejected: {
    level: "error",
    message: "Webhook rejected by receiver",
    outcome: "rejected",
  },
  redirected: {
    level: "error",
    message: "Webhook redirect not followed",
    outcome: "rejected",
  },
  exhausted: {
    level: "error",
    message: "Webhook delivery failed after all attempts",
    outcome: "exhausted",
  },
  invalid: {
    level: "error",
    message: "Webhook delivery is invalid",
    outcome: "invalid",
  },
  blocked: {
    level: "error",
    message: "Webhook destination is blocked",
    outcome: "invalid",
  },
  denied: {
    level: "error",
    message: "Webhook delivery is not permitted by the runtime",
    outcome: "invalid",
  },
  aborted: {
    level: "error",
    message: "Webhook delivery aborted",
    outcome: "aborted",
  },
} as const satisfies Record<string, {
  level: LogLevel;
  message: string;
  outcome: DeliveryOutcome | "retrying";
}>;

/** The name of an entry of {@linkcode ENDINGS}. */
export type Ending = keyof typeof ENDINGS;

/** What a log record says besides its ending; absent fields are left out. */
export interface RecordContext {
  webhookId: string;
  /** In its redacted form. */
  url: string;
  /** The attempt's number; for an ending between attempts, the last one made. */
  attempt?: number | undefined;
  maxAttempts?: number | undefined;
  durationMs?: number | undefined;
  status?: number | undefined;
  /** Already redacted, like every message the package produces. */
  error?: DeliveryError | undefined;
  responseExcerpt?: string | undefined;
  /** In its redacted form. */
  location?: string | undefined;
  retryInMs?: number | undefined;
}

/** The fields of a record, always in the same order. */
export function recordFields(
  ending: Ending,
  context: RecordContext,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    webhookId: context.webhookId,
    url: context.url,
  };
  if (context.attempt !== undefined) fields.attempt = context.attempt;
  if (context.maxAttempts !== undefined) {
    fields.maxAttempts = context.maxAttempts;
  }
  fields.outcome = ENDINGS[ending].outcome;
  if (context.durationMs !== undefined) fields.durationMs = context.durationMs;
  if (context.status !== undefined) fields.status = context.status;
  if (context.error !== undefined) {
    fields.errorKind = context.error.kind;
    fields.error = context.error.message;
  }
  if (context.responseExcerpt !== undefined) {
    fields.responseExcerpt = context.responseExcerpt;
  }
  if (context.location !== undefined) fields.location = context.location;
  if (context.retryInMs !== undefined) fields.retryInMs = context.retryInMs;
  return fields;
}

/** Logs the record of an ending, without letting a faulty logger break a delivery. */
export function logEnding(
  logger: Logger,
  ending: Ending,
  context: RecordContext,
): void {
  const { level, message } = ENDINGS[ending];
  try {
    ignoreRejection(logger[level](message, recordFields(ending, context)));
  } catch {
    // A logger that throws must not turn a delivery into a rejection.
  }
}

/**
 * A callback typed to return `void` may still return a promise; if it
 * rejects unhandled, Node.js ends the process. Swallow it.
 */
export function ignoreRejection(value: unknown): void {
  try {
    if (
      typeof value === "object" && value !== null &&
      typeof (value as { then?: unknown }).then === "function"
    ) {
      (value as PromiseLike<unknown>).then(undefined, () => {});
    }
  } catch {
    // A `then` getter that throws, or a `then` that does.
  }
}
