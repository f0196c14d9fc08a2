import { failOption, isMilliseconds } from "../_shared/_option_error.ts";
import { safeGet } from "../_shared/_safe_text.ts";
import {
  type NormalizedOptions,
  normalizeOptions,
} from "../send/_normalize_options.ts";
import type { BreakerSettings } from "./store.ts";
import { MemoryStore } from "./memory_store.ts";
import {
  DEFAULT_QUEUE_RETRY_DELAYS_MS,
  type WebhookQueueOptions,
} from "./options.ts";
import type { WebhookQueueEvent } from "./events.ts";
import type { WebhookStore } from "./store.ts";

/** {@linkcode WebhookQueueOptions} with defaults applied and values checked. */
export interface NormalizedQueueOptions {
  sender: NormalizedOptions;
  store: WebhookStore;
  concurrency: number;
  endpointConcurrency: number;
  circuitBreaker: BreakerSettings | false;
  leaseMs: number;
  deliveredRetentionMs: number;
  pollIntervalMs: number;
  maxClaimsWithoutResult: number;
  onEvent: ((event: WebhookQueueEvent) => void) | undefined;
}

const SUBJECT = "WebhookQueue";
const STORE_METHODS = [
  "enqueue",
  "claim",
  "record",
  "disableEndpoint",
  "enableEndpoint",
  "get",
  "list",
  "stats",
  "replay",
  "replayDead",
  "prune",
  "close",
] as const;

/** Applies the queue's defaults and throws a `RangeError` or `TypeError` naming any bad option. */
export function normalizeQueueOptions(
  options: WebhookQueueOptions,
): NormalizedQueueOptions {
  const {
    store = new MemoryStore(),
    concurrency = 10,
    endpointConcurrency = 4,
    circuitBreaker = {},
    deliveredRetentionMs = 86_400_000,
    pollIntervalMs = 1_000,
    maxClaimsWithoutResult = 5,
    onEvent,
  } = options;
  const sender = normalizeOptions({
    ...options,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_QUEUE_RETRY_DELAYS_MS,
    jitter: options.jitter ?? 0.2,
  }, SUBJECT);
  const leaseMs = options.leaseMs ?? 2 * sender.timeoutMs + 5_000;

  for (const method of STORE_METHODS) {
    if (typeof safeGet(store, method) !== "function") {
      failOption(
        SUBJECT,
        "store",
        `a WebhookStore (no '${method}')`,
        store,
        TypeError,
      );
    }
  }
  count("concurrency", concurrency);
  count("endpointConcurrency", endpointConcurrency);
  count("maxClaimsWithoutResult", maxClaimsWithoutResult);
  if (!isMilliseconds(leaseMs, sender.timeoutMs + 1)) {
    failOption(
      SUBJECT,
      "leaseMs",
      `longer than 'timeoutMs' (${sender.timeoutMs}), so that a lease outlasts an attempt`,
      leaseMs,
    );
  }
  // Not a timer's delay: a retention of months is fine.
  if (
    typeof deliveredRetentionMs !== "number" ||
    !(deliveredRetentionMs >= 0 && deliveredRetentionMs < Infinity)
  ) {
    failOption(
      SUBJECT,
      "deliveredRetentionMs",
      "a finite number of milliseconds from 0",
      deliveredRetentionMs,
    );
  }
  milliseconds("pollIntervalMs", pollIntervalMs, 1);
  if (onEvent !== undefined && typeof onEvent !== "function") {
    failOption(SUBJECT, "onEvent", "a function", onEvent, TypeError);
  }
  return {
    sender,
    store,
    concurrency,
    endpointConcurrency,
    circuitBreaker: circuitBreaker === false
      ? false
      : breakerSettings(circuitBreaker),
    leaseMs,
    deliveredRetentionMs,
    pollIntervalMs,
    maxClaimsWithoutResult,
    onEvent,
  };
}

function breakerSettings(
  options: Exclude<WebhookQueueOptions["circuitBreaker"], false>,
): BreakerSettings {
  if (typeof options !== "object" || options === null) {
    failOption(
      SUBJECT,
      "circuitBreaker",
      "an object or false",
      options,
      TypeError,
    );
  }
  const {
    failureThreshold = 5,
    cooldownMs = 30_000,
    maxCooldownMs = 600_000,
  } = options;
  count("circuitBreaker.failureThreshold", failureThreshold);
  milliseconds("circuitBreaker.cooldownMs", cooldownMs, 1);
  milliseconds("circuitBreaker.maxCooldownMs", maxCooldownMs, cooldownMs);
  return { failureThreshold, cooldownMs, maxCooldownMs };
}

function count(option: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    failOption(SUBJECT, option, "a positive integer", value);
  }
}

function milliseconds(option: string, value: unknown, min: number): void {
  if (!isMilliseconds(value, min)) {
    failOption(SUBJECT, option, `a number of milliseconds from ${min}`, value);
  }
}
