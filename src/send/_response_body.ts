import { abortable } from "./_abort.ts";

/** How much of a response body is read before the rest is cancelled. */
const MAX_READ_BYTES = 64 * 1024;
/** How much of a body is kept to build the excerpt. */
const MAX_KEPT_BYTES = 2 * 1024;
/** How long the excerpt of a failed response's body may be, in characters. */
const MAX_EXCERPT_CHARS = 500;

/**
 * After this many empty chunks a body is given up on: a stream that always
 * has an empty chunk ready resolves every read at once, and would keep the
 * read loop in microtasks where no timer, the timeout included, can fire.
 */
const MAX_EMPTY_CHUNKS = 1_024;

/**
 * Reads a response body to its end, or to 64 KiB and cancels the rest, so a
 * small body leaves the connection reusable and a huge or endless one costs
 * neither memory nor time. Returns the first 2 KiB of the body, for
 * `bodyExcerpt`. Rejects when the body fails to arrive (reset, not bytes,
 * endless empty chunks) or as soon as `signal` aborts (timeout, caller's
 * abort), cancelling the body without waiting for the cancel to settle.
 *
 * `trusted` says the response came from the runtime's own `fetch`, which
 * holds a body to its `content-length` and ends it when the signal fires.
 */
export async function drainResponseBody(
  response: Response,
  signal: AbortSignal,
  trusted: boolean,
): Promise<Uint8Array> {
  // A `Response` made by JavaScript (a test double standing in for the
  // global fetch, say) has no URL, and keeps none of those promises.
  if (trusted && response.url !== "" && isSmallPlainBody(response.headers)) {
    // The common case, a short answer: one call instead of a read loop,
    // which runtimes serve without a JavaScript stream per chunk. Even
    // reading `response.body` first would cost that in Deno's fetch.
    const bytes = new Uint8Array(
      await abortable(response.arrayBuffer(), signal),
    );
    return bytes.subarray(0, MAX_KEPT_BYTES);
  }
  const body = response.body;
  if (body === null || body === undefined) return new Uint8Array(0);
  const reader = body.getReader();
  const kept = new Uint8Array(MAX_KEPT_BYTES);
  let keptLength = 0;
  let readLength = 0;
  let emptyChunks = 0;
  try {
    while (readLength < MAX_READ_BYTES) {
      const { done, value } = await abortable(reader.read(), signal);
      if (done) return kept.subarray(0, keptLength);
      if (!(value instanceof Uint8Array)) {
        throw new TypeError(
          "The response body produced a chunk that is not bytes",
        );
      }
      if (value.byteLength === 0 && ++emptyChunks > MAX_EMPTY_CHUNKS) {
        throw new TypeError(
          `The response body produced more than ${MAX_EMPTY_CHUNKS} empty chunks`,
        );
      }
      readLength += value.byteLength;
      if (keptLength < MAX_KEPT_BYTES) {
        const part = value.subarray(0, MAX_KEPT_BYTES - keptLength);
        kept.set(part, keptLength);
        keptLength += part.byteLength;
      }
    }
    cancelQuietly(reader);
    return kept.subarray(0, keptLength);
  } catch (error) {
    cancelQuietly(reader);
    throw error;
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // Older streams refuse while a read is pending; the lock dies with them.
    }
  }
}

/**
 * Cancels the rest of a body without waiting: a cancel that never settles
 * (a custom body's) must not hold the delivery.
 */
function cancelQuietly(reader: ReadableStreamDefaultReader<unknown>): void {
  try {
    reader.cancel().catch(() => {});
  } catch {
    // A custom stream's cancel that throws at once.
  }
}

/**
 * Whether the body is known to end within `MAX_READ_BYTES`, so reading all of
 * it at once is safe: a `content-length` that small, and nothing that makes
 * the bytes read larger than it says (a content coding, which runtimes decode
 * on the fly, or a transfer coding, which overrides it).
 */
export function isSmallPlainBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  if (length === null || !/^\d{1,5}$/.test(length)) return false;
  if (Number(length) > MAX_READ_BYTES) return false;
  const coding = headers.get("content-encoding");
  return (coding === null || coding.trim().toLowerCase() === "identity") &&
    !headers.has("transfer-encoding");
}

// Decoding without `stream` keeps no state between calls: one can be shared.
const decoder = new TextDecoder();

/**
 * The start of a body as text, at most 500 characters, for the log record of
 * a failed attempt. Decoded only then: a delivered response's body is never
 * logged.
 */
export function bodyExcerpt(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return "";
  return decoder.decode(bytes).slice(0, MAX_EXCERPT_CHARS);
}
