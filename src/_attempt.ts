import type { DeliveryError } from "./delivery_result.ts";
import type { FetchFunction } from "./options.ts";
import { redactUrls } from "./_log_url.ts";
import { classifyNetworkError } from "./_network_error.ts";
import { drainResponseBody } from "./_response_body.ts";

/** One POST of a delivery. */
export interface AttemptRequest {
  url: string;
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchFunction;
  /** Whether `fetch` is the runtime's own; see `drainResponseBody`. */
  nativeFetch: boolean;
  signal: AbortSignal | undefined;
}

/** What a complete response tells the service. */
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
  // Combined by hand rather than with AbortSignal.any, which Node.js only
  // has from 20.3, and so that no listener outlives the attempt.
  const controller = new AbortController();
  const abort = () => controller.abort();
  timeout.addEventListener("abort", abort, { once: true });
  request.signal?.addEventListener("abort", abort, { once: true });
  if (request.signal?.aborted) controller.abort();
  // Settles on abort even if a custom fetch or its body ignores the signal,
  // so an attempt can never outlast its timeout.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener(
      "abort",
      () => reject(controller.signal.reason),
      { once: true },
    );
  });
  aborted.catch(() => {});

  try {
    const response = await Promise.race([
      request.fetch(request.url, {
        method: "POST",
        // A copy for a custom fetch, which could change what later attempts send.
        headers: request.nativeFetch ? request.headers : { ...request.headers },
        body: request.body,
        redirect: "manual",
        signal: controller.signal,
      }),
      aborted,
    ]);
    const excerpt = await drainResponseBody(
      response,
      aborted,
      request.nativeFetch,
    );
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
  } finally {
    timeout.removeEventListener("abort", abort);
    request.signal?.removeEventListener("abort", abort);
  }
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
