import type {
  DeliveryAttempt,
  DeliveryError,
  DeliveryOutcome,
  DeliveryResult,
} from "./delivery_result.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import type { WebhookDeliveryOptions } from "./options.ts";
import { abortMessage, attemptDelivery } from "./_attempt.ts";
import {
  type NormalizedOptions,
  normalizeOptions,
  usesRuntimeFetch,
} from "./_normalize_options.ts";
import { checkDestination } from "./_destination_guard.ts";
import { isoNow } from "../log/_iso_now.ts";
import { logUrl, redactUrls } from "../_shared/_log_url.ts";
import { prepareDelivery } from "./_prepare_delivery.ts";
import { utf8 } from "../_shared/_utf8.ts";
import { parseRetryAfterMs, retryDelayMs } from "./_retry_delay.ts";
import { importHmacKeys } from "../_shared/_secret.ts";
import { signAttempt } from "../_shared/_signature.ts";
import { wait } from "./_wait.ts";

/**
 * Per-delivery options of {@linkcode WebhookDeliveryService.send} and
 * {@linkcode WebhookDeliveryService.deliver}.
 *
 * @example Giving a delivery a stable id and a deadline
 * ```ts
 * import type { SendOptions } from "@omoi/webhook-delivery";
 *
 * const options: SendOptions = {
 *   id: "evt_2f1c9a",
 *   headers: { "x-tenant": "acme" },
 *   signal: AbortSignal.timeout(30_000),
 * };
 * ```
 */
export interface SendOptions {
  /**
   * The delivery id, sent as the `webhook-id` header on every attempt so the
   * receiver can drop duplicates. Use your event's id to make deliveries of
   * the same event share it. 1 to 256 visible ASCII characters, no `.`.
   *
   * @default {crypto.randomUUID()}
   */
  id?: string | undefined;
  /**
   * Headers for this delivery only, added to (and overriding) the service's
   * `headers`. Their values are never logged.
   *
   * @default {{}}
   */
  headers?: WebhookDeliveryOptions["headers"];
  /**
   * Aborts the delivery: the request in flight or the wait before the next
   * attempt ends at once, and the outcome is `aborted`.
   */
  signal?: AbortSignal | undefined;
}

/**
 * Delivers JSON webhooks over HTTP: it POSTs the payload, retries what can
 * succeed later (5xx, timeouts, network errors) on a fixed schedule, gives up
 * at once on what cannot (4xx, redirects, bad input), and leaves one
 * structured log record per attempt.
 *
 * Its methods never reject for a delivery problem or bad input: they resolve,
 * and they log. A service holds no connections or timers of its own, so one
 * instance can be shared by the whole application.
 *
 * @example Notifying a monitoring system that a task completed
 * ```ts
 * import { WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   // A stand-in for the monitoring system, so the example runs anywhere;
 *   // leave `fetch` out to send real requests.
 *   fetch: () => Promise.resolve(new Response(null, { status: 204 })),
 * });
 * const ok = await service.deliver(
 *   "https://monitoring.example/hooks/tasks",
 *   { event_type: "task.completed", task_id: "task_42" },
 * );
 * if (!ok) console.error("The monitoring system did not get the event");
 * ```
 */
export class WebhookDeliveryService {
  #options: NormalizedOptions;
  /** Imported once here, awaited by each signed delivery. */
  #signingKeys: Promise<CryptoKey[]> | undefined;

  /**
   * Creates a service; every option is optional.
   *
   * @example A service with a shorter timeout and some jitter
   * ```ts
   * import { WebhookDeliveryService } from "@omoi/webhook-delivery";
   *
   * const service = new WebhookDeliveryService({ timeoutMs: 5_000, jitter: 0.1 });
   * ```
   *
   * @param options How to send, retry and log.
   * @throws {RangeError} When a number is out of range, naming the option and its value.
   * @throws {TypeError} When `headers` are malformed or reserved, when a
   * `secret` is malformed (naming the problem, never the secret), or when
   * `logger`, `fetch`, `retryOnStatus`, `blockPrivateNetworks` or
   * `resolveHost` are not of the right shape.
   */
  constructor(options: WebhookDeliveryOptions = {}) {
    this.#options = normalizeOptions(options ?? {});
    const secrets = this.#options.secrets;
    this.#signingKeys = secrets.length > 0
      ? importHmacKeys(secrets, "sign")
      : undefined;
  }

  /**
   * Delivers `payload` as JSON to `url` and resolves `true` once a 2xx
   * response has arrived with its body (to the end, or its first 64 KiB),
   * `false` otherwise. Never rejects.
   *
   * @example A receiver that is down: `false`, never an exception
   * ```ts
   * import { silentLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
   * import assert from "node:assert/strict";
   *
   * const service = new WebhookDeliveryService({
   *   retryDelaysMs: [10, 10],
   *   logger: silentLogger,
   * });
   * // Nothing listens on a `.invalid` host: three attempts, then `false`.
   * const ok = await service.deliver("http://monitoring.invalid/hooks", {
   *   event_type: "agent.stuck",
   *   agent_id: "agent_7",
   * });
   * assert.equal(ok, false);
   * ```
   *
   * @param url Where to POST; must be `http:` or `https:`.
   * @param payload Anything `JSON.stringify` can turn into JSON.
   * @param options The delivery's id, extra headers and abort signal.
   * @returns Whether the receiver accepted the webhook.
   */
  async deliver(
    url: string | URL,
    payload: unknown,
    options?: SendOptions,
  ): Promise<boolean> {
    return (await this.send(url, payload, options)).ok;
  }

  /**
   * Delivers `payload` as JSON to `url`, like
   * {@linkcode WebhookDeliveryService.deliver}, and resolves the full
   * {@linkcode DeliveryResult}: outcome, id and every attempt. Never rejects.
   *
   * @example Keeping the result of a delivery
   * ```ts
   * import { silentLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
   * import assert from "node:assert/strict";
   *
   * // A stand-in receiver that fails once, then accepts.
   * let calls = 0;
   * const service = new WebhookDeliveryService({
   *   retryDelaysMs: [10],
   *   logger: silentLogger,
   *   fetch: () =>
   *     Promise.resolve(new Response(null, { status: ++calls === 1 ? 503 : 200 })),
   * });
   * const result = await service.send(
   *   "https://monitoring.example/hooks",
   *   { event_type: "task.failed", task_id: "task_42" },
   *   { id: "evt_task_42_failed" },
   * );
   * assert.equal(result.outcome, "delivered");
   * assert.deepEqual(result.attempts.map((attempt) => attempt.status), [503, 200]);
   * ```
   *
   * @param url Where to POST; must be `http:` or `https:`.
   * @param payload Anything `JSON.stringify` can turn into JSON.
   * @param options The delivery's id, extra headers and abort signal.
   * @returns What happened, attempt by attempt.
   */
  async send(
    url: string | URL,
    payload: unknown,
    options?: SendOptions,
  ): Promise<DeliveryResult> {
    options ??= {};
    const settings = this.#options;
    const startedAt = performance.now();
    const id = options.id ?? crypto.randomUUID();
    const signal = options.signal;
    const attempts: DeliveryAttempt[] = [];
    const maxAttempts = settings.retryDelaysMs.length + 1;
    const finish = (
      outcome: DeliveryOutcome,
      error?: DeliveryError,
    ): DeliveryResult => ({
      ok: outcome === "delivered",
      id,
      outcome,
      attempts,
      durationMs: Math.round(performance.now() - startedAt),
      ...(error ? { error } : {}),
    });

    const prepared = prepareDelivery({
      url,
      payload,
      id,
      defaultHeaders: settings.headers,
      headers: options.headers,
      maxPayloadBytes: settings.maxPayloadBytes,
      signal,
    });
    if ("error" in prepared) {
      const error = redacted(prepared.error);
      log(settings.logger, "error", "Webhook delivery is invalid", {
        webhookId: id,
        url: logUrl(url),
        outcome: "invalid",
        errorKind: error.kind,
        error: error.message,
      });
      return finish("invalid", error);
    }
    const loggedUrl = prepared.loggedUrl;
    // Encoded only when needed: to sign, and for a custom fetch, which is
    // documented to receive bytes. Until then the global fetch is given the
    // text, which it encodes faster than TextEncoder.
    let bytes = prepared.bytes;

    if (settings.blockPrivateNetworks) {
      const refusal = await checkDestination({
        url: new URL(prepared.url),
        resolveHost: settings.resolveHost,
        timeoutMs: settings.timeoutMs,
        signal,
      });
      if (refusal) {
        const error = redacted(refusal);
        log(settings.logger, "error", "Webhook destination is blocked", {
          webhookId: id,
          url: loggedUrl,
          outcome: "invalid",
          errorKind: error.kind,
          error: error.message,
        });
        return finish("invalid", error);
      }
    }

    for (let number = 1;; number++) {
      if (signal?.aborted) {
        const error: DeliveryError = {
          kind: "aborted",
          message: abortMessage(signal),
        };
        log(settings.logger, "error", "Webhook delivery aborted", {
          webhookId: id,
          url: loggedUrl,
          // The attempt after which it stopped: 0 when none was made.
          attempt: number - 1,
          maxAttempts,
          outcome: "aborted",
          errorKind: error.kind,
          error: error.message,
        });
        return finish("aborted", error);
      }

      const attemptStartedAt = performance.now();
      const attempt: DeliveryAttempt = {
        number,
        startedAt: isoNow(),
        durationMs: 0,
      };
      // Signed per attempt: a retry carries its own timestamp.
      let headers = prepared.headers;
      if (this.#signingKeys) {
        try {
          headers = await signAttempt({
            headers,
            id,
            body: bytes ??= utf8(prepared.json),
            keys: await this.#signingKeys,
            nowMs: Date.now(),
          });
        } catch (cause) {
          // Web Crypto refusing a key that parsed: not seen on any runtime
          // this is tested on, but no reason to break the never-reject rule.
          const error = redacted({
            kind: "invalid_secret",
            message: `The secret cannot be used to sign: ${
              cause instanceof Error ? cause.message : String(cause)
            }`,
          });
          log(settings.logger, "error", "Webhook delivery is invalid", {
            webhookId: id,
            url: loggedUrl,
            attempt: number - 1,
            maxAttempts,
            outcome: "invalid",
            errorKind: error.kind,
            error: error.message,
          });
          return finish("invalid", error);
        }
      }
      const { response, error } = await attemptDelivery({
        url: prepared.url,
        body: bytes ??
          (settings.globalFetch ? prepared.json : bytes = utf8(prepared.json)),
        headers,
        timeoutMs: settings.timeoutMs,
        fetch: settings.fetch,
        runtimeFetch: usesRuntimeFetch(settings),
        signal,
      });
      attempt.durationMs = Math.round(performance.now() - attemptStartedAt);
      attempts.push(attempt);

      const fields: Record<string, unknown> = {
        webhookId: id,
        url: loggedUrl,
        attempt: number,
        maxAttempts,
        outcome: "",
        durationMs: attempt.durationMs,
      };
      if (response) {
        attempt.status = fields.status = response.status;
      } else {
        // Already redacted, like every message an attempt produces.
        attempt.error = error;
        fields.errorKind = error.kind;
        fields.error = error.message;
      }

      if (response && response.status >= 200 && response.status < 300) {
        fields.outcome = "delivered";
        log(settings.logger, "info", "Webhook delivered", fields);
        return finish("delivered");
      }
      if (response) {
        fields.responseExcerpt = response.excerpt;
        if (response.location !== null) {
          fields.location = logUrl(response.location);
        }
      }
      if (error?.kind === "aborted") {
        fields.outcome = "aborted";
        log(settings.logger, "error", "Webhook delivery aborted", fields);
        return finish("aborted");
      }
      // A redirect is never retried: the URL is wrong, not the receiver busy.
      if (
        response &&
        (response.status < 400 || !shouldRetry(settings, response.status))
      ) {
        fields.outcome = "rejected";
        log(settings.logger, "error", "Webhook rejected by receiver", fields);
        return finish("rejected");
      }
      const scheduledMs = settings.retryDelaysMs[number - 1];
      if (scheduledMs === undefined) {
        fields.outcome = "exhausted";
        log(
          settings.logger,
          "error",
          "Webhook delivery failed after all attempts",
          fields,
        );
        return finish("exhausted");
      }

      const delayMs = retryDelayMs({
        scheduledMs,
        jitter: settings.jitter,
        retryAfterMs: parseRetryAfterMs(
          response?.retryAfter ?? null,
          Date.now(),
        ),
        maxRetryAfterMs: settings.maxRetryAfterMs,
      });
      attempt.retryInMs = fields.retryInMs = delayMs;
      fields.outcome = "retrying";
      log(
        settings.logger,
        "warn",
        "Webhook attempt failed, will retry",
        fields,
      );
      await wait(delayMs, signal);
    }
  }
}

/**
 * The error with every URL in its message in the redacted form that logs
 * use, for the messages built from the caller's input or an exception's text.
 */
function redacted(error: DeliveryError): DeliveryError {
  return { kind: error.kind, message: redactUrls(error.message) };
}

function shouldRetry(settings: NormalizedOptions, status: number): boolean {
  try {
    const retry: unknown = settings.retryOnStatus(status);
    ignoreRejection(retry);
    return retry === true;
  } catch {
    return false;
  }
}

/** Logs without letting a faulty logger break a delivery. */
function log(
  logger: Logger,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
): void {
  try {
    ignoreRejection(logger[level](message, fields));
  } catch {
    // A logger that throws must not turn a delivery into a rejection.
  }
}

/**
 * A callback typed to return `void` may still return a promise; if it
 * rejects unhandled, Node.js ends the process. Swallow it.
 */
function ignoreRejection(value: unknown): void {
  if (
    typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  ) {
    (value as PromiseLike<unknown>).then(undefined, () => {});
  }
}
