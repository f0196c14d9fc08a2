import type { DeliveryError } from "./delivery_result.ts";
import type { FetchFunction } from "./options.ts";
import { classifyNetworkError } from "./_network_error.ts";
import { drainResponseBody } from "./_response_body.ts";

/** One POST of a delivery. */
export interface AttemptRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchFunction;
  signal: AbortSignal | undefined;
}

/** A complete response: its status, what it asks of a retry, and its start. */
export interface AttemptResponse {
  status: number;
  location: string | null;
  retryAfter: string | null;
  excerpt: string;
}

/** What one attempt produced: a complete response, or the reason there was none. */
export type AttemptOutcome =
  | { response: AttemptResponse; error?: undefined }
  | { response?: undefined; error: DeliveryError };

/**
 * Sends one request and reads its response to the end (or its first 64 KiB),
 * all within `timeoutMs`. Never rejects: failures come back as an error kind.
 */
export async function attemptDelivery(
  request: AttemptRequest,
): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal
    ? AbortSignal.any([request.signal, timeout])
    : timeout;
  try {
    const response = await request.fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal,
    });
    const excerpt = await drainResponseBody(response);
    return {
      response: {
        status: response.status,
        location: response.headers.get("location"),
        retryAfter: response.headers.get("retry-after"),
        excerpt,
      },
    };
  } catch (error) {
    // The signals say why better than the error does: its shape differs
    // between runtimes and between the request and the body phase.
    if (request.signal?.aborted) {
      return {
        error: { kind: "aborted", message: abortMessage(request.signal) },
      };
    }
    if (timeout.aborted) {
      return {
        error: {
          kind: "timeout",
          message: `No complete response within ${request.timeoutMs} ms`,
        },
      };
    }
    return { error: classifyNetworkError(error) };
  }
}

/** Describes why a caller's signal fired, without assuming what its reason is. */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.message) {
    return `Aborted by the caller: ${reason.message}`;
  }
  if (typeof reason === "string" && reason) {
    return `Aborted by the caller: ${reason}`;
  }
  return "Aborted by the caller";
}
