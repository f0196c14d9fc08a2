import { redactText, redactUrl } from "../_shared/_redact.ts";
import { safeGet, textOf } from "../_shared/_safe_text.ts";
import { type AdoptedSignal, adoptSignal } from "./_caller_signal.ts";
import type { DeliveryError, DeliveryErrorKind } from "./delivery_result.ts";
import { encodeBase64 } from "../_shared/_base64.ts";
import { parseCustomHeaders } from "./_custom_headers.ts";
import { utf8 } from "../_shared/_utf8.ts";
import { USER_AGENT } from "./_version.ts";

/** A delivery whose input has been checked and turned into what is sent. */
export interface PreparedDelivery {
  id: string;
  url: string;
  /** The URL as log records show it, see `redactUrl`. */
  loggedUrl: string;
  /** The JSON text; its UTF-8 is what is sent and what is signed. */
  json: string;
  /** Its UTF-8, when counting it against the limit needed it. */
  bytes: Uint8Array<ArrayBuffer> | undefined;
  headers: Record<string, string>;
  /** The caller's signal, adopted; `release()` it when the delivery ends. */
  signal: AdoptedSignal | undefined;
  error?: undefined;
}

/** A delivery whose input cannot be sent, and why. */
export interface InvalidDelivery {
  id: string;
  loggedUrl: string;
  /** Redacted. */
  error: DeliveryError;
}

/** The caller's input to one delivery. */
export interface DeliveryInput {
  url: string | URL;
  payload: unknown;
  /**
   * The per-delivery options as the caller gave them: anything, read once
   * and only through guarded reads.
   */
  options: unknown;
  defaultHeaders: Record<string, string>;
  maxPayloadBytes: number;
}

// A header value may not hold control characters or surrounding white
// space; a `.` would make the Standard Webhooks signed content ambiguous.
const VALID_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

/**
 * Checks a delivery's URL, payload, id, headers and signal, and builds the
 * request body and headers. Returns the first problem found instead of
 * throwing, whatever the input holds.
 */
export function prepareDelivery(
  input: DeliveryInput,
): PreparedDelivery | InvalidDelivery {
  const options = readOptions(input.options);
  const id = ("value" in options.id ? options.id.value : undefined) ??
    crypto.randomUUID();
  const loggedUrl = redactUrl(input.url);
  const invalid = (kind: DeliveryErrorKind, message: string) => ({
    id: typeof id === "string" ? id : textOf(id).slice(0, 256),
    loggedUrl,
    error: { kind, message: redactText(message) },
  });

  if ("error" in options.signal) {
    return invalid("invalid_signal", "The signal cannot be read");
  }
  const callerSignal = options.signal.value;
  if (callerSignal !== undefined && !isAbortSignal(callerSignal)) {
    return invalid("invalid_signal", "The signal must be an AbortSignal");
  }
  const url = parseWebhookUrl(input.url);
  if (!(url instanceof URL)) return invalid(url.kind, url.message);
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
      return invalid(
        "invalid_url",
        "The URL's user name or password is not valid percent-encoding",
      );
    }
    url.username = "";
    url.password = "";
  }

  if ("error" in options.id) {
    return invalid("invalid_id", "The id cannot be read");
  }
  if (typeof id !== "string" || !VALID_ID.test(id)) {
    return invalid(
      "invalid_id",
      "The id must be 1 to 256 visible ASCII characters other than '.'",
    );
  }

  let body: string | undefined;
  try {
    body = JSON.stringify(input.payload);
  } catch (error) {
    return invalid(
      "invalid_payload",
      `The payload cannot be serialized to JSON: ${textOf(error)}`,
    );
  }
  if (typeof body !== "string") {
    return invalid(
      "invalid_payload",
      `The payload cannot be serialized to JSON: ${
        input.payload === undefined
          ? "it is undefined"
          : `a ${typeof input.payload} has no JSON form`
      }`,
    );
  }

  // A UTF-16 code unit takes 1 to 3 bytes of UTF-8: only a payload near the
  // limit is encoded to count its bytes, which the runtime's fetch does again.
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  if (body.length * 3 > input.maxPayloadBytes) {
    bytes = utf8(body);
    if (bytes.length > input.maxPayloadBytes) {
      return invalid(
        "invalid_payload",
        `The payload is ${bytes.length} bytes as JSON, more than 'maxPayloadBytes' (${input.maxPayloadBytes})`,
      );
    }
  }

  // A plain record rather than a Headers: fetch copies a record without
  // iterating it, which is measurably faster. It has no prototype, so that
  // a header named `__proto__` stays an ordinary key.
  const headers: Record<string, string> = Object.assign(
    Object.create(null),
    input.defaultHeaders,
  );
  if ("error" in options.headers) {
    return invalid("invalid_headers", "The headers cannot be read");
  }
  if (options.headers.value !== undefined) {
    try {
      for (const [name, value] of parseCustomHeaders(options.headers.value)) {
        headers[name] = value;
      }
    } catch (error) {
      return invalid("invalid_headers", textOf(error));
    }
  }
  headers["user-agent"] ??= USER_AGENT;
  if (authorization !== undefined) headers["authorization"] ??= authorization;
  headers["content-type"] = "application/json";
  headers["webhook-id"] = id;

  const signal = callerSignal === undefined
    ? undefined
    : adoptSignal(callerSignal);
  if (callerSignal !== undefined && signal === undefined) {
    return invalid("invalid_signal", "The signal cannot be read");
  }
  const href = url.href;
  return {
    id,
    url: href,
    // Without a query or fragment there is nothing to redact: no second parse.
    loggedUrl: url.search === "" && url.hash === "" ? href : redactUrl(href),
    json: body,
    bytes,
    headers,
    signal,
  };
}

type Read = { value: unknown } | { error: true };

/** The three per-delivery options, each read once, through a guard. */
function readOptions(options: unknown): {
  id: Read;
  headers: Read;
  signal: Read;
} {
  const read = (key: string): Read => {
    if (typeof options !== "object" || options === null) {
      return { value: undefined };
    }
    try {
      return { value: (options as Record<string, unknown>)[key] };
    } catch {
      return { error: true };
    }
  };
  return { id: read("id"), headers: read("headers"), signal: read("signal") };
}

/** Duck-typed, so that a signal from another realm or a polyfill passes. */
function isAbortSignal(value: unknown): boolean {
  return typeof safeGet(value, "aborted") === "boolean" &&
    typeof safeGet(value, "addEventListener") === "function" &&
    typeof safeGet(value, "removeEventListener") === "function";
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${encodeBase64(utf8(`${username}:${password}`))}`;
}

function parseWebhookUrl(input: unknown): URL | DeliveryError {
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
