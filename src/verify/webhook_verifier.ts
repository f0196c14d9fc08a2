import { decodeSecrets, importHmacKeys } from "../_shared/_secret.ts";
import { signedContent, v1Signatures } from "../_shared/_signature.ts";
import { utf8 } from "../_shared/_utf8.ts";
import { WebhookVerificationError } from "./webhook_verification_error.ts";

/**
 * Options of a {@linkcode WebhookVerifier}; every one is optional.
 *
 * @example A stricter tolerance, and a clock of your own
 * ```ts
 * import { WebhookVerifier, type WebhookVerifierOptions } from "@omoi/webhook-delivery";
 *
 * const options: WebhookVerifierOptions = {
 *   toleranceSeconds: 60,
 *   now: () => Date.now(),
 * };
 * const verifier = new WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", options);
 * ```
 */
export interface WebhookVerifierOptions {
  /**
   * How far, in seconds, `webhook-timestamp` may be from the receiver's clock,
   * in the past or in the future. Older webhooks are rejected as replays.
   *
   * @default {300} (5 minutes, as Standard Webhooks recommends)
   */
  toleranceSeconds?: number;
  /**
   * The receiver's clock, in milliseconds since the Unix epoch. It must
   * return a finite number: verification throws a `TypeError` otherwise,
   * rather than accept a timestamp it cannot check.
   *
   * @default {() => Date.now()}
   */
  now?: () => number;
}

/**
 * The request headers of a webhook: a `Headers` object, or a plain record
 * such as Node.js's `request.headers`. Names are matched case-insensitively;
 * a header given as an array is joined with `", "`, as `Headers` would.
 *
 * @example Headers in either form
 * ```ts
 * import type { WebhookHeaders } from "@omoi/webhook-delivery";
 *
 * const record: WebhookHeaders = { "Webhook-Id": "msg_1", "webhook-timestamp": "1700000000" };
 * const headers: WebhookHeaders = new Headers(record as Record<string, string>);
 * ```
 */
export type WebhookHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The parts of a webhook's headers that verification needs, checked. */
interface SignedHeaders {
  id: string;
  timestamp: string;
  signatures: Uint8Array<ArrayBuffer>[];
}

const DEFAULT_TOLERANCE_SECONDS = 300;

// Fatal, so that a body that is not UTF-8 is refused rather than mended;
// without `stream` it keeps no state between calls, so one is shared.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Checks that a webhook was signed with a shared secret, following the
 * Standard Webhooks specification (v1, HMAC-SHA256), and that it is recent,
 * then returns its JSON payload. It accepts what
 * {@linkcode WebhookDeliveryService} sends with its `secret` option, and what
 * any other Standard Webhooks sender signs.
 *
 * Create one verifier per secret (or set of secrets during a rotation) when
 * the application starts: the constructor checks and imports the keys once.
 * It accepts any well-formed secret, even one shorter than the 24 bytes the
 * sender requires: the sender chose it. Pass the raw body, as received:
 * parsing and re-serializing JSON changes bytes and breaks the signature.
 *
 * @example Verifying webhooks in a request handler
 * ```ts
 * import {
 *   isWebhookVerificationError,
 *   silentLogger,
 *   WebhookDeliveryService,
 *   WebhookVerifier,
 * } from "@omoi/webhook-delivery";
 * import assert from "node:assert/strict";
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
 * const verifier = new WebhookVerifier(secret);
 * const received: unknown[] = [];
 *
 * // The handler of any web-standard server (Deno, Bun, Hono, Workers).
 * async function handle(request: Request): Promise<Response> {
 *   try {
 *     received.push(await verifier.verifyRequest(request));
 *     return new Response(null, { status: 204 });
 *   } catch (error) {
 *     if (isWebhookVerificationError(error)) {
 *       return new Response(error.reason, { status: 401 });
 *     }
 *     throw error;
 *   }
 * }
 *
 * // The sender signs with the same secret; here its requests go straight to
 * // the handler instead of across a network.
 * const sender = new WebhookDeliveryService({
 *   secret,
 *   logger: silentLogger,
 *   fetch: (url, init) => handle(new Request(url, init)),
 * });
 * const url = "https://receiver.example/hooks";
 * assert.equal(await sender.deliver(url, { event_type: "task.completed" }), true);
 * assert.deepEqual(received, [{ event_type: "task.completed" }]);
 * ```
 */
export class WebhookVerifier {
  #keys: Promise<CryptoKey[]>;
  #toleranceSeconds: number;
  #now: () => number;

  /**
   * Creates a verifier for one secret, or for several while a secret is being
   * rotated: a webhook signed with any of them is accepted.
   *
   * @example During a rotation: the new secret and the old one
   * ```ts
   * import { WebhookVerifier } from "@omoi/webhook-delivery";
   *
   * const verifier = new WebhookVerifier([
   *   "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
   *   "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
   * ]);
   * ```
   *
   * @param secret A `whsec_` secret (`whsec_` and the key in base64), or an
   * array of them.
   * @param options The timestamp tolerance and the clock.
   * @throws {TypeError} When a secret is malformed (no `whsec_` prefix, bad
   * base64, empty), naming the problem but never the secret, or when `now`
   * is not a function.
   * @throws {RangeError} When `toleranceSeconds` is negative or not a number.
   */
  constructor(
    secret: string | readonly string[],
    options: WebhookVerifierOptions = {},
  ) {
    const { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now } = options;
    if (
      typeof toleranceSeconds !== "number" ||
      !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0
    ) {
      throw new RangeError(
        `Cannot create WebhookVerifier as 'toleranceSeconds' must be a number of seconds from 0 upwards: current value is ${
          String(toleranceSeconds)
        }`,
      );
    }
    if (now !== undefined && typeof now !== "function") {
      throw new TypeError(
        `Cannot create WebhookVerifier as 'now' must be a function: current value is of type ${typeof now}`,
      );
    }
    const keys = decodeSecrets(secret, {
      owner: "WebhookVerifier",
      name: "secret",
      // A receiver checks what a sender chose; too short a secret is the
      // sender's to fix, so any non-empty key is accepted.
      minBytes: 1,
    });
    this.#keys = importHmacKeys(keys, "verify");
    this.#toleranceSeconds = toleranceSeconds;
    this.#now = now ?? (() => Date.now());
  }

  /**
   * Verifies a webhook from its raw body and its headers, and returns the
   * parsed JSON payload.
   *
   * Pass the body exactly as received: parsing and re-serializing JSON changes
   * bytes and breaks the signature.
   *
   * @example Verifying a body and headers received by any framework
   * ```ts
   * import { WebhookVerifier } from "@omoi/webhook-delivery";
   * import assert from "node:assert/strict";
   *
   * // The known-answer test of the Standard Webhooks libraries, verified with
   * // a clock set to the moment it was signed.
   * const verifier = new WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
   *   now: () => 1614265330_000,
   * });
   * const payload = await verifier.verify('{"test": 2432232314}', {
   *   "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
   *   "webhook-timestamp": "1614265330",
   *   "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
   * });
   * assert.deepEqual(payload, { test: 2432232314 });
   * ```
   *
   * @param body The request body as received: a string, or its bytes.
   * @param headers The request headers.
   * @returns The payload, parsed from JSON.
   * @throws {WebhookVerificationError} When the webhook cannot be trusted or
   * is not JSON; its `reason` says why.
   * @throws {TypeError} When `body` or `headers` are of the wrong type, or
   * when the `now` option returns something other than a finite number (the
   * timestamp cannot be checked, so nothing is accepted).
   */
  async verify(
    body: string | Uint8Array,
    headers: WebhookHeaders,
  ): Promise<unknown> {
    const signed = this.#checkHeaders(headers);
    let bytes: Uint8Array;
    if (typeof body === "string") bytes = utf8(body);
    else if (body instanceof Uint8Array) bytes = body;
    else {
      throw new TypeError(
        "Cannot verify webhook as 'body' must be a string or a Uint8Array",
      );
    }
    return await this.#verifyBody(signed, bytes);
  }

  /**
   * Verifies a web `Request`, as Deno's `serve`, Bun, Hono and other
   * web-standard servers hand it over, and returns the parsed JSON payload.
   * The headers are checked first; the body is read only when they pass, and
   * then exactly once.
   *
   * @example Verifying a request
   * ```ts
   * import { isWebhookVerificationError, WebhookVerifier } from "@omoi/webhook-delivery";
   * import assert from "node:assert/strict";
   *
   * const verifier = new WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
   * const unsigned = new Request("http://localhost/hooks", { method: "POST", body: "{}" });
   *
   * await assert.rejects(verifier.verifyRequest(unsigned), (error) => {
   *   assert.ok(isWebhookVerificationError(error));
   *   assert.equal(error.reason, "missing_header");
   *   return true;
   * });
   * ```
   *
   * @param request The incoming request; its body is consumed.
   * @returns The payload, parsed from JSON.
   * @throws {WebhookVerificationError} When the webhook cannot be trusted or
   * is not JSON; its `reason` says why.
   * @throws {TypeError} When the `now` option returns something other than a
   * finite number.
   */
  async verifyRequest(request: Request): Promise<unknown> {
    const signed = this.#checkHeaders(request.headers);
    const body = new Uint8Array(await request.arrayBuffer());
    return await this.#verifyBody(signed, body);
  }

  /** Checks the presence of the headers and the freshness of the timestamp. */
  #checkHeaders(headers: WebhookHeaders): SignedHeaders {
    if (typeof headers !== "object" || headers === null) {
      throw new TypeError(
        "Cannot verify webhook as 'headers' must be a Headers object or a record",
      );
    }
    const id = requiredHeader(headers, "webhook-id");
    const timestamp = requiredHeader(headers, "webhook-timestamp");
    const signature = requiredHeader(headers, "webhook-signature");
    if (id.includes(".")) {
      throw new WebhookVerificationError(
        "missing_header",
        "Cannot verify webhook as its 'webhook-id' header contains '.'",
      );
    }
    if (!/^[0-9]+$/.test(timestamp)) {
      throw new WebhookVerificationError(
        "invalid_timestamp",
        "Cannot verify webhook as its 'webhook-timestamp' header is not an integer number of seconds",
      );
    }
    const nowMs: unknown = this.#now();
    // A clock that answers NaN would make every timestamp look fresh, and
    // switch replay protection off: refuse it instead.
    if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) {
      throw new TypeError(
        `Cannot verify webhook as 'now' must return a finite number of milliseconds: it returned ${
          typeof nowMs === "number"
            ? String(nowMs)
            : `a value of type ${typeof nowMs}`
        }`,
      );
    }
    const nowSeconds = Math.floor(nowMs / 1_000);
    const offset = Number(timestamp) - nowSeconds;
    if (-offset > this.#toleranceSeconds) {
      throw new WebhookVerificationError(
        "timestamp_too_old",
        `Cannot verify webhook as its timestamp is ${-offset} s in the past, beyond the tolerance of ${this.#toleranceSeconds} s`,
      );
    }
    if (offset > this.#toleranceSeconds) {
      throw new WebhookVerificationError(
        "timestamp_too_new",
        `Cannot verify webhook as its timestamp is ${offset} s in the future, beyond the tolerance of ${this.#toleranceSeconds} s`,
      );
    }
    return { id, timestamp, signatures: v1Signatures(signature) };
  }

  /** Checks the signatures over the body, then parses it. */
  async #verifyBody(
    signed: SignedHeaders,
    body: Uint8Array,
  ): Promise<unknown> {
    const content = signedContent(signed.id, signed.timestamp, body);
    const keys = await this.#keys;
    let matched = false;
    search: for (const signature of signed.signatures) {
      for (const key of keys) {
        // `verify` compares in constant time; comparing strings would not.
        if (await crypto.subtle.verify("HMAC", key, signature, content)) {
          matched = true;
          break search;
        }
      }
    }
    if (!matched) {
      throw new WebhookVerificationError(
        "no_matching_signature",
        "Cannot verify webhook as none of its v1 signatures matches a secret",
      );
    }
    try {
      return JSON.parse(strictUtf8.decode(body));
    } catch {
      throw new WebhookVerificationError(
        "invalid_payload",
        "Cannot verify webhook as its body is not JSON",
      );
    }
  }
}

/**
 * Reads one header from either form, case-insensitively, and throws
 * `missing_header` when it is absent or empty.
 */
function requiredHeader(headers: WebhookHeaders, name: string): string {
  const value = headerValue(headers, name);
  if (value === undefined || value === "") {
    throw new WebhookVerificationError(
      "missing_header",
      `Cannot verify webhook as the '${name}' header is missing`,
    );
  }
  return value;
}

function headerValue(
  headers: WebhookHeaders,
  name: string,
): string | undefined {
  // Duck-typed rather than `instanceof Headers`, so a `Headers` of another
  // realm or a polyfill reads the same.
  if (typeof headers.get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.join(", ");
  }
  return undefined;
}
