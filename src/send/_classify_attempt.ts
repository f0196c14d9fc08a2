import type { AttemptOutcome } from "./_attempt.ts";
import { ignoreRejection } from "./_endings.ts";

/**
 * What one attempt means for its delivery: done (`delivered`), worth another
 * attempt (`retry`), or over for good, for the reason named.
 */
export type Verdict =
  | "delivered"
  | "retry"
  | "rejected"
  | "redirected"
  | "aborted"
  | "denied";

/**
 * Classifies an attempt. A 3xx is never followed nor retried (the URL is
 * wrong, not the receiver busy); a 4xx or 5xx is retried only when
 * `retryOnStatus` answers `true`; an error is retried unless the caller
 * aborted or the runtime's permissions forbid the request.
 */
export function classifyAttempt(
  outcome: AttemptOutcome,
  retryOnStatus: (status: number) => boolean,
): Verdict {
  if (outcome.response) {
    const { status } = outcome.response;
    if (status >= 200 && status < 300) return "delivered";
    if (status >= 300 && status < 400) return "redirected";
    return status >= 400 && asksForRetry(retryOnStatus, status)
      ? "retry"
      : "rejected";
  }
  switch (outcome.error.kind) {
    case "aborted":
      return "aborted";
    case "permission_denied":
      return "denied";
    default:
      return "retry";
  }
}

/** Only a plain `true` retries; a throw or a promise does not. */
function asksForRetry(
  retryOnStatus: (status: number) => boolean,
  status: number,
): boolean {
  try {
    const retry: unknown = retryOnStatus(status);
    ignoreRejection(retry);
    return retry === true;
  } catch {
    return false;
  }
}
