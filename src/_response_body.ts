/** How much of a response body is read before the rest is cancelled. */
const MAX_READ_BYTES = 64 * 1024;
/** How much of a body is kept to build the excerpt. */
const MAX_KEPT_BYTES = 2 * 1024;
/** How long the excerpt of a failed response's body may be, in characters. */
const MAX_EXCERPT_CHARS = 500;

/**
 * Reads a response body to its end, or to 64 KiB and cancels the rest, so a
 * small body leaves the connection reusable and a huge or endless one costs
 * neither memory nor time. Returns the start of the body as text, at most 500
 * characters. Rejects when the body fails to arrive (reset), or as soon as
 * `aborted` rejects (timeout, caller's abort), cancelling the body.
 */
export async function drainResponseBody(
  response: Response,
  aborted: Promise<never>,
): Promise<string> {
  const body = response.body;
  if (body === null) return "";
  const reader = body.getReader();
  const kept = new Uint8Array(MAX_KEPT_BYTES);
  let keptLength = 0;
  let readLength = 0;
  try {
    while (readLength < MAX_READ_BYTES) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      readLength += value.byteLength;
      if (keptLength < MAX_KEPT_BYTES) {
        const part = value.subarray(0, MAX_KEPT_BYTES - keptLength);
        kept.set(part, keptLength);
        keptLength += part.byteLength;
      }
    }
    if (readLength >= MAX_READ_BYTES) await reader.cancel().catch(() => {});
  } catch (error) {
    // Not awaited: a body that ignores the abort may never settle its cancel.
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // Older streams refuse while a read is pending; the lock dies with them.
    }
  }
  return new TextDecoder().decode(kept.subarray(0, keptLength)).slice(
    0,
    MAX_EXCERPT_CHARS,
  );
}
