import { redactText } from "../_shared/_redact.ts";
import { safeGet } from "../_shared/_safe_text.ts";
import { abortable, type LinkedSignal, withTimeout } from "./_abort.ts";
import { classifyNetworkError } from "./_network_error.ts";
import { bodyExcerpt, drainResponseBody } from "./_response_body.ts";
import type { DeliveryError } from "./delivery_result.ts";
import type { FetchFunction } from "./options.ts";

/** One POST of a delivery. */
export interface AttemptRequest {
  url: string;
  /** The JSON text, or its UTF-8 for a custom fetch (as documented) or once
   * it has been encoded to sign. */
  body: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchFunction;
  /** Whether `fetch` is the runtime's own (no `fetch` option was given). */
  runtimeFetch: boolean;
  /** The caller's signal, as the delivery adopted it. */
  signal: AbortSignal | undefined;
}

/**
 * What a complete response tells the service. Of a 2xx response only the
 * status is read: the rest is for the log record of a failed attempt.
 */
export interface AttemptResponse {
  status: number;
  location: string | null;
  retryAfter: string | null;
  /** The start of the body as text, at most 500 characters. */
  excerpt: string;
}

/** What one attempt produced: a complete response, or the reason there was none. */
export type AttemptOutcome =
  | { response: AttemptResponse; error?: undefined }
  | { response?: undefined; error: DeliveryError };

/**
 * Sends one request and reads its response to the end (or its first 64 KiB),
 * all within `timeoutMs` and until the caller's signal fires. Never rejects:
 * failures come back as an error kind.
 */
export async function attemptDelivery(
  request: AttemptRequest,
): Promise<AttemptOutcome> {
  const deadline = withTimeout(request.signal, request.timeoutMs);
  try {
    const response = await exchange(request, deadline.signal);
    // A body that its fetch ended early when the signal fired (a bug some
    // runtimes have had) must not turn a timeout into a delivery.
    if (deadline.signal.aborted) return { error: stopped(request, deadline) };
    return { response };
  } catch (error) {
    return {
      error: deadline.signal.aborted
        ? stopped(request, deadline)
        : classifyNetworkError(error),
    };
  } finally {
    deadline.unlink();
  }
}

/**
 * The request and its response, read to the end; rejects on any failure,
 * on something that is not a response, and as soon as `signal` aborts.
 */
async function exchange(
  request: AttemptRequest,
  signal: AbortSignal,
): Promise<AttemptResponse> {
  const response = await abortable(
    request.fetch(request.url, {
      method: "POST",
      // A copy for a custom fetch, which could change what later attempts send.
      headers: request.runtimeFetch ? request.headers : { ...request.headers },
      body: request.body,
      redirect: "manual",
      signal,
    }),
    signal,
  );
  const status: unknown = safeGet(response, "status");
  if (
    typeof status !== "number" || !Number.isInteger(status) || status < 100 ||
    status > 599
  ) {
    throw new TypeError(
      "The fetch function resolved something that is not a response with an HTTP status",
    );
  }
  const bodyStart = await drainResponseBody(
    response,
    signal,
    request.runtimeFetch,
  );
  if (status >= 200 && status < 300) {
    return { status, location: null, retryAfter: null, excerpt: "" };
  }
  return {
    status,
    location: response.headers.get("location"),
    retryAfter: response.headers.get("retry-after"),
    excerpt: bodyExcerpt(bodyStart),
  };
}

/** Why an attempt that the signal stopped failed: its timeout, or the caller. */
function stopped(
  request: AttemptRequest,
  deadline: LinkedSignal,
): DeliveryError {
  if (deadline.timedOut) {
    return {
      kind: "timeout",
      message: `No complete response within ${request.timeoutMs} ms`,
    };
  }
  return abortError(request.signal);
}

/**
 * The error of a delivery whose caller's signal fired, saying why without
 * assuming what the reason is.
 */
export function abortError(signal: AbortSignal | undefined): DeliveryError {
  const reason: unknown = signal?.reason;
  const text = typeof reason === "string" ? reason : safeGet(reason, "message");
  return {
    kind: "aborted",
    message: typeof text === "string" && text !== ""
      ? `Aborted by the caller: ${redactText(text).slice(0, 500)}`
      : "Aborted by the caller",
  };
}
