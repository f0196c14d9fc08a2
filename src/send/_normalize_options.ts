import { createJsonLogger } from "../log/json_logger.ts";
import type { Logger } from "../log/logger.ts";
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_TIMEOUT_MS,
  defaultRetryOnStatus,
  type FetchFunction,
  type ResolveHostFunction,
  type WebhookDeliveryOptions,
} from "./options.ts";
import { parseCustomHeaders } from "./_custom_headers.ts";
import { decodeSecrets } from "../_shared/_secret.ts";
import {
  failOption,
  isMilliseconds,
  MAX_TIMER_MS,
} from "../_shared/_option_error.ts";

/** {@linkcode WebhookDeliveryOptions} with defaults applied and values checked. */
export interface NormalizedOptions {
  timeoutMs: number;
  retryDelaysMs: readonly number[];
  jitter: number;
  maxRetryAfterMs: number;
  retryOnStatus: (status: number) => boolean;
  headers: Record<string, string>;
  logger: Logger;
  fetch: FetchFunction;
  /**
   * Whether no `fetch` was given, so requests go to the runtime's own
   * `globalThis.fetch`: the only one trusted to hold a response to its
   * `content-length` and to end a body when its signal fires.
   */
  runtimeFetch: boolean;
  /** Raw HMAC keys, one per secret; empty when requests are not signed. */
  secrets: Uint8Array<ArrayBuffer>[];
  maxPayloadBytes: number;
  blockPrivateNetworks: boolean;
  resolveHost: ResolveHostFunction | undefined;
}

// Standard Webhooks asks for secrets of at least 24 random bytes.
const MIN_SECRET_BYTES = 24;

const LOGGER_METHODS = ["debug", "info", "warn", "error"] as const;

/** An array whose every index, holes included, holds a delay. */
function isSchedule(value: unknown): value is readonly number[] {
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index++) {
    if (!(index in value) || !isMilliseconds(value[index], 0)) return false;
  }
  return true;
}

// Looked up at each call, so a global replaced after construction is used.
const callGlobalFetch: FetchFunction = (url, init) =>
  globalThis.fetch(url, init);

/** Applies defaults and throws a `RangeError` or `TypeError` naming any bad option. */
export function normalizeOptions(
  options: WebhookDeliveryOptions,
  subject = "WebhookDeliveryService",
): NormalizedOptions {
  const fail = (
    option: string,
    requirement: string,
    value: unknown,
    ErrorType?: typeof RangeError | typeof TypeError,
  ): never => failOption(subject, option, requirement, value, ErrorType);
  const {
    timeoutMs = DEFAULT_TIMEOUT_MS,
    retryDelaysMs = DEFAULT_RETRY_DELAYS_MS,
    jitter = 0,
    maxRetryAfterMs = DEFAULT_MAX_RETRY_AFTER_MS,
    retryOnStatus = defaultRetryOnStatus,
    logger,
    fetch = callGlobalFetch,
    maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES,
    blockPrivateNetworks = false,
    resolveHost,
  } = options;

  if (!isMilliseconds(timeoutMs, 1)) {
    fail(
      "timeoutMs",
      `a number of milliseconds from 1 to ${MAX_TIMER_MS}`,
      timeoutMs,
    );
  }
  if (!isSchedule(retryDelaysMs)) {
    fail(
      "retryDelaysMs",
      `an array without holes of numbers of milliseconds from 0 to ${MAX_TIMER_MS}`,
      retryDelaysMs,
    );
  }
  if (
    typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)
  ) {
    fail("jitter", "a number from 0 to 1", jitter);
  }
  if (!isMilliseconds(maxRetryAfterMs, 0)) {
    fail(
      "maxRetryAfterMs",
      `a number of milliseconds from 0 to ${MAX_TIMER_MS}`,
      maxRetryAfterMs,
    );
  }
  if (typeof retryOnStatus !== "function") {
    fail("retryOnStatus", "a function", retryOnStatus, TypeError);
  }
  if (typeof fetch !== "function") {
    fail("fetch", "a function", fetch, TypeError);
  }
  if (logger !== undefined) {
    const missing = LOGGER_METHODS.filter((method) =>
      typeof logger?.[method] !== "function"
    );
    if (missing.length > 0) {
      throw new TypeError(
        `Cannot create WebhookDeliveryService as 'logger' must have the methods debug, info, warn and error: missing ${
          missing.join(", ")
        }`,
      );
    }
  }
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
    fail(
      "maxPayloadBytes",
      "a positive integer number of bytes",
      maxPayloadBytes,
    );
  }
  if (typeof blockPrivateNetworks !== "boolean") {
    fail("blockPrivateNetworks", "a boolean", blockPrivateNetworks, TypeError);
  }
  if (resolveHost !== undefined) {
    if (typeof resolveHost !== "function") {
      fail("resolveHost", "a function", resolveHost, TypeError);
    }
    // Resolving names for a guard that is off would look like protection
    // and be none.
    if (!blockPrivateNetworks) {
      throw new TypeError(
        "Cannot create WebhookDeliveryService as 'resolveHost' is only used with 'blockPrivateNetworks: true'",
      );
    }
  }
  const secrets = options.secret === undefined ? [] : decodeSecrets(
    options.secret,
    {
      owner: "WebhookDeliveryService",
      name: "secret",
      minBytes: MIN_SECRET_BYTES,
    },
  );
  let headers: Headers;
  try {
    headers = parseCustomHeaders(options.headers);
  } catch (error) {
    throw new TypeError(
      `Cannot create WebhookDeliveryService as ${(error as Error).message}`,
    );
  }

  return {
    timeoutMs,
    retryDelaysMs: Object.freeze([...retryDelaysMs]),
    jitter,
    maxRetryAfterMs,
    retryOnStatus,
    headers: Object.fromEntries(headers),
    logger: logger ?? createJsonLogger(),
    fetch,
    runtimeFetch: fetch === callGlobalFetch,
    secrets,
    maxPayloadBytes,
    blockPrivateNetworks,
    resolveHost,
  };
}
