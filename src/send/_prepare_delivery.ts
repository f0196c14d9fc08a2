import type { DeliveryError } from "./delivery_result.ts";
import type { WebhookDeliveryOptions } from "./options.ts";
import { encodeBase64 } from "../_shared/_base64.ts";
import { parseCustomHeaders } from "./_custom_headers.ts";
import { logUrl } from "../_shared/_log_url.ts";
import { utf8 } from "../_shared/_utf8.ts";
import { USER_AGENT } from "./_version.ts";

/** A delivery whose input has been checked and turned into what is sent. */
export interface PreparedDelivery {
  url: string;
  /** The URL as log records show it, see `logUrl`. */
  loggedUrl: string;
  /** The JSON text; its UTF-8 is what is sent and what is signed. */
  json: string;
  /** Its UTF-8, when counting it against the limit needed it. */
  bytes: Uint8Array<ArrayBuffer> | undefined;
  headers: Record<string, string>;
}

/** The caller's input to one delivery. */
export interface DeliveryInput {
  url: string | URL;
  payload: unknown;
  id: string;
  defaultHeaders: Record<string, string>;
  headers: WebhookDeliveryOptions["headers"];
  maxPayloadBytes: number;
  /** Checked only: a caller without types can pass anything. */
  signal: unknown;
}

// A header value may not hold control characters or surrounding white
// space; a `.` would make the Standard Webhooks signed content ambiguous.
const VALID_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

/**
 * Checks a delivery's URL, payload, id and headers, and builds the request
 * body and headers. Returns the first problem found instead of throwing.
 */
export function prepareDelivery(
  input: DeliveryInput,
): PreparedDelivery | { error: DeliveryError } {
  if (input.signal !== undefined && !isAbortSignal(input.signal)) {
    return {
      error: {
        kind: "invalid_signal",
        message: "The signal must be an AbortSignal",
      },
    };
  }
  const url = parseWebhookUrl(input.url);
  if (!(url instanceof URL)) return { error: url };
  // Node.js's fetch refuses URLs with credentials and Deno's sends them: move
  // them into the header they stand for, so every runtime sends the same.
  let authorization: string | undefined;
  if (url.username !== "" || url.password !== "") {
    try {
      authorization = basicAuthorization(
        decodeURIComponent(url.username),
        decodeURIComponent(url.password),
      );
    } catch {
      return {
        error: {
          kind: "invalid_url",
          message:
            "The URL's user name or password is not valid percent-encoding",
        },
      };
    }
    url.username = "";
    url.password = "";
  }

  if (typeof input.id !== "string" || !VALID_ID.test(input.id)) {
    return {
      error: {
        kind: "invalid_id",
        message:
          "The id must be 1 to 256 visible ASCII characters other than '.'",
      },
    };
  }

  let body: string | undefined;
  try {
    body = JSON.stringify(input.payload);
  } catch (error) {
    return {
      error: {
        kind: "invalid_payload",
        message: `The payload cannot be serialized to JSON: ${
          error instanceof Error ? error.message : String(error)
        }`,
      },
    };
  }
  if (body === undefined) {
    return {
      error: {
        kind: "invalid_payload",
        message: `The payload cannot be serialized to JSON: ${
          input.payload === undefined ? "it is undefined" : `a ${typeof input
            .payload} has no JSON form`
        }`,
      },
    };
  }

  // A UTF-16 code unit takes 1 to 3 bytes of UTF-8: only a payload near the
  // limit is encoded to count its bytes, which the runtime's fetch does again.
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  if (body.length * 3 > input.maxPayloadBytes) {
    bytes = utf8(body);
    const byteLength = bytes.length;
    if (byteLength > input.maxPayloadBytes) {
      return {
        error: {
          kind: "invalid_payload",
          message:
            `The payload is ${byteLength} bytes as JSON, more than 'maxPayloadBytes' (${input.maxPayloadBytes})`,
        },
      };
    }
  }

  // A plain record rather than a Headers: fetch copies a record without
  // iterating it, which made deliver() about 10% faster in bench/. It has no
  // prototype, so that a header named `__proto__` stays an ordinary key.
  const headers: Record<string, string> = Object.assign(
    Object.create(null),
    input.defaultHeaders,
  );
  if (input.headers !== undefined) {
    try {
      for (const [name, value] of parseCustomHeaders(input.headers)) {
        headers[name] = value;
      }
    } catch (error) {
      return {
        error: { kind: "invalid_headers", message: (error as Error).message },
      };
    }
  }
  headers["user-agent"] ??= USER_AGENT;
  if (authorization !== undefined) headers["authorization"] ??= authorization;
  headers["content-type"] = "application/json";
  headers["webhook-id"] = input.id;

  const href = url.href;
  // Without a query or fragment there is nothing to redact: no second parse.
  const loggedUrl = url.search === "" && url.hash === "" ? href : logUrl(href);
  return { url: href, loggedUrl, json: body, bytes, headers };
}

/** Duck-typed, so that a signal from another realm or a polyfill passes. */
function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === "object" && value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function" &&
    typeof (value as AbortSignal).removeEventListener === "function";
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${encodeBase64(utf8(`${username}:${password}`))}`;
}

function parseWebhookUrl(input: string | URL): URL | DeliveryError {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return {
      kind: "invalid_url",
      message: "The URL cannot be parsed as an absolute URL",
    };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      kind: "invalid_url",
      message: `The URL must use http: or https:, not ${url.protocol}`,
    };
  }
  return url;
}
