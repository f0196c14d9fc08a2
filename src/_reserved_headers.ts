/** Headers the service computes itself; callers may not set them. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "content-length",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
]);

/**
 * Parses caller-supplied headers, throwing a `TypeError` that names the
 * problem (never a header value) when they are malformed or reserved.
 */
export function parseCustomHeaders(init: HeadersInit | undefined): Headers {
  let headers: Headers;
  try {
    headers = new Headers(init);
  } catch (error) {
    throw new TypeError(
      `'headers' must be valid HTTP headers: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  for (const name of headers.keys()) {
    if (RESERVED_HEADERS.has(name)) {
      throw new TypeError(
        `'headers' cannot set '${name}' as the service sets it itself`,
      );
    }
  }
  return headers;
}
