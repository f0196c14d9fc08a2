import type { WebhookDeliveryOptions } from "./options.ts";

type HeaderEntries = NonNullable<WebhookDeliveryOptions["headers"]>;

/**
 * Headers callers may not set: those the service computes itself (and every
 * `webhook-*` name, the Standard Webhooks namespace), and those that belong
 * to the connection, which Node.js's fetch refuses and Deno's ignores, so
 * that every runtime sends the same request.
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "expect",
  "host",
]);

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses caller-supplied headers, throwing a `TypeError` that names the
 * problem when they are malformed or reserved. The message never holds a
 * header value: values are where credentials live.
 */
export function parseCustomHeaders(init: unknown): Headers {
  if (init === undefined) return new Headers();
  let headers: Headers;
  try {
    headers = new Headers(init as HeaderEntries);
  } catch {
    throw new TypeError(
      `'headers' must be valid HTTP headers: ${describeInvalidHeader(init)}`,
    );
  }
  for (const name of headers.keys()) {
    if (RESERVED_HEADERS.has(name) || name.startsWith("webhook-")) {
      throw new TypeError(
        `'headers' cannot set '${name}' as the service sets it itself`,
      );
    }
  }
  return headers;
}

/** Finds the first unusable header and names it, without its value. */
function describeInvalidHeader(init: unknown): string {
  let entries: unknown[];
  try {
    entries = Array.isArray(init)
      ? init
      : Object.entries(init ?? {}) as unknown[];
  } catch {
    return "they are not a Headers object, an array of pairs or a record";
  }
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      return "each entry must be a [name, value] pair";
    }
    const [name, value] = entry;
    if (typeof name !== "string" || !HEADER_NAME.test(name)) {
      return "a header name is not a valid HTTP token";
    }
    try {
      new Headers([[name, String(value)]]);
    } catch {
      return `the value of '${name}' is not valid`;
    }
  }
  return "they cannot be parsed";
}
