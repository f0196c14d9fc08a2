import type { DeliveryError } from "./delivery_result.ts";
import type { FetchFunction } from "./options.ts";
import { redactUrls } from "../_shared/_log_url.ts";
import { classifyNetworkError } from "./_network_error.ts";
import { bodyExcerpt, drainResponseBody } from "./_response_body.ts";

/** One POST of a delivery. */
export interface AttemptRequest {
  url: string;
  /** The JSON text, or its UTF-8 for a custom fetch (as documented) or once
   * it has been encoded to sign. */
  body: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchFunction;
  /** Whether `fetch` is the runtime's own; see `usesRuntimeFetch`. */
  runtimeFetch: boolean;
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
 * all within `timeoutMs`. Never rejects: failures come back as an error kind.
 */
export async function attemptDelivery(
  request: AttemptRequest,
): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  if (request.runtimeFetch && request.signal === undefined) {
    // The common case needs nothing but the timeout: the runtime's own fetch
    // ends both the request and the body when its signal fires. Skipping the
    // controller, listeners and races below made deliver() a few percent
    // faster in bench/.
    try {
      const response = await exchange(request, timeout, undefined);
      // A runtime that ends an aborted body as if it were complete (a bug
      // some have had) must not turn a timeout into a delivery.
      if (!timeout.aborted) return { response };
    } catch (error) {
      return { error: attemptError(request, timeout, error) };
    }
    return { error: attemptError(request, timeout, undefined) };
  }

  // Combined by hand rather than with AbortSignal.any, which Node.js only
  // has from 20.3, and so that no listener outlives the attempt.
  const controller = new AbortController();
  const abort = () => controller.abort();
  timeout.addEventListener("abort", abort, { once: true });
  request.signal?.addEventListener("abort", abort, { once: true });
  if (request.signal?.aborted) controller.abort();
  // Settles on abort even if a custom fetch or its body ignores the signal,
  // so an attempt here can never outlast its timeout.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener(
      "abort",
      () => reject(controller.signal.reason),
      { once: true },
    );
  });
  aborted.catch(() => {});
  try {
    return { response: await exchange(request, controller.signal, aborted) };
  } catch (error) {
    return { error: attemptError(request, timeout, error) };
  } finally {
    timeout.removeEventListener("abort", abort);
    request.signal?.removeEventListener("abort", abort);
  }
}

/**
 * The request and its response, read to the end; rejects on any failure,
 * a response that is not one included, and, when `aborted` is given, as soon
 * as it rejects.
 */
async function exchange(
  request: AttemptRequest,
  signal: AbortSignal,
  aborted: Promise<never> | undefined,
): Promise<AttemptResponse> {
  const sent = request.fetch(request.url, {
    method: "POST",
    // A copy for a custom fetch, which could change what later attempts send.
    headers: request.runtimeFetch ? request.headers : { ...request.headers },
    body: request.body,
    redirect: "manual",
    signal,
  });
  const response = await (aborted ? Promise.race([sent, aborted]) : sent);
  const bodyStart = await drainResponseBody(
    response,
    aborted,
    request.runtimeFetch,
  );
  const status = response.status;
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

/**
 * Why an attempt failed. The signals say it better than the error does: its
 * shape differs between runtimes and between the request and the body phase.
 */
function attemptError(
  request: AttemptRequest,
  timeout: AbortSignal,
  error: unknown,
): DeliveryError {
  if (request.signal?.aborted) {
    return { kind: "aborted", message: abortMessage(request.signal) };
  }
  if (timeout.aborted) {
    return {
      kind: "timeout",
      message: `No complete response within ${request.timeoutMs} ms`,
    };
  }
  return classifyNetworkError(error);
}

/** Describes why a caller's signal fired, without assuming what its reason is. */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.message) {
    return `Aborted by the caller: ${redactUrls(reason.message)}`;
  }
  if (typeof reason === "string" && reason) {
    return `Aborted by the caller: ${redactUrls(reason)}`;
  }
  return "Aborted by the caller";
}
