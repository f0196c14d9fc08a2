import { redactText, redactUrl } from "../_shared/_redact.ts";
import { importHmacKeys } from "../_shared/_secret.ts";
import { signAttempt } from "../_shared/_signature.ts";
import { textOf } from "../_shared/_safe_text.ts";
import { utf8 } from "../_shared/_utf8.ts";
import { isoNow } from "../log/_iso_now.ts";
import { abortError, attemptDelivery } from "./_attempt.ts";
import { classifyAttempt, type Verdict } from "./_classify_attempt.ts";
import { checkDestination } from "./_destination_guard.ts";
import { type Ending, logEnding, type RecordContext } from "./_endings.ts";
import type { NormalizedOptions } from "./_normalize_options.ts";
import {
  type InvalidDelivery,
  type PreparedDelivery,
  prepareDelivery,
} from "./_prepare_delivery.ts";
import { parseRetryAfterMs, retryDelayMs } from "./_retry_delay.ts";
import type { DeliveryAttempt, DeliveryError } from "./delivery_result.ts";

/** Where one attempt stands in its delivery's schedule. */
export interface AttemptPlan {
  /** 1 for the first attempt. */
  number: number;
  /** How many attempts the schedule allows in all, for the log record. */
  maxAttempts: number;
  /**
   * The scheduled wait before the next attempt, should this one fail in a
   * way worth retrying; `undefined` when it is the last one.
   */
  nextDelayMs: number | undefined;
}

/**
 * How one attempt ended. With no `ending`, the delivery goes on after
 * `attempt.retryInMs`. `attempt` is absent when nothing was sent (the caller
 * aborted before, or signing failed); `error` is the delivery's own reason
 * when the attempt does not carry it.
 */
export interface AttemptStep {
  attempt?: DeliveryAttempt;
  ending?: Exclude<Ending, "retrying">;
  error?: DeliveryError;
}

const ENDING_OF: Record<
  Exclude<Verdict, "retry">,
  Exclude<Ending, "retrying">
> = {
  delivered: "delivered",
  rejected: "rejected",
  redirected: "redirected",
  aborted: "aborted",
  denied: "denied",
};

/**
 * The sender core: checks a delivery, guards its destination, and makes one
 * attempt at a time, logging each. It keeps no state between deliveries, so
 * `send()` loops over it with waits in memory and a queue calls it once per
 * claim, with the schedule kept in its store.
 */
export class Sender {
  readonly options: NormalizedOptions;
  /** Imported once, awaited by each signed attempt. */
  readonly #signingKeys: Promise<CryptoKey[]> | undefined;

  constructor(options: NormalizedOptions) {
    this.options = options;
    this.#signingKeys = options.secrets.length > 0
      ? importHmacKeys(options.secrets, "sign")
      : undefined;
  }

  /** Checks the input of one delivery; never throws. */
  prepare(
    url: string | URL,
    payload: unknown,
    options: unknown,
  ): PreparedDelivery | InvalidDelivery {
    return prepareDelivery({
      url,
      payload,
      options,
      defaultHeaders: this.options.headers,
      maxPayloadBytes: this.options.maxPayloadBytes,
    });
  }

  /**
   * With `blockPrivateNetworks`, the logged ending of a destination it
   * refuses, or `undefined` to go on (also when the caller's signal fired
   * meanwhile: the next attempt reports that).
   */
  async guard(delivery: PreparedDelivery): Promise<AttemptStep | undefined> {
    if (!this.options.blockPrivateNetworks) return undefined;
    const refusal = await checkDestination({
      url: new URL(delivery.url),
      resolveHost: this.options.resolveHost,
      timeoutMs: this.options.timeoutMs,
      signal: delivery.signal?.signal,
    });
    return refusal && this.end("blocked", {
      webhookId: delivery.id,
      url: delivery.loggedUrl,
      error: { kind: refusal.kind, message: redactText(refusal.message) },
    });
  }

  /** Signs (when there is a secret), sends, classifies and logs one attempt. */
  async attempt(
    delivery: PreparedDelivery,
    plan: AttemptPlan,
  ): Promise<AttemptStep> {
    const settings = this.options;
    const signal = delivery.signal?.signal;
    const context: RecordContext = {
      webhookId: delivery.id,
      url: delivery.loggedUrl,
      attempt: plan.number - 1,
      maxAttempts: plan.maxAttempts,
    };
    if (signal?.aborted) {
      return this.end("aborted", { ...context, error: abortError(signal) });
    }

    const startedAt = performance.now();
    const attempt: DeliveryAttempt = {
      number: plan.number,
      startedAt: isoNow(),
      durationMs: 0,
    };
    // Signed per attempt: a retry carries its own timestamp.
    let headers = delivery.headers;
    if (this.#signingKeys) {
      try {
        headers = await signAttempt({
          headers,
          id: delivery.id,
          body: delivery.bytes ??= utf8(delivery.json),
          keys: await this.#signingKeys,
          nowMs: Date.now(),
        });
      } catch (cause) {
        // Web Crypto refusing a key that parsed: not seen on any runtime
        // this is tested on, but no reason to break the never-reject rule.
        return this.end("invalid", {
          ...context,
          error: {
            kind: "invalid_secret",
            message: `The secret cannot be used to sign: ${
              redactText(textOf(cause))
            }`,
          },
        });
      }
    }
    // The global fetch is given the text, which it encodes faster than
    // TextEncoder; a custom fetch gets the bytes, as documented.
    const outcome = await attemptDelivery({
      url: delivery.url,
      body: delivery.bytes ??
        (settings.runtimeFetch
          ? delivery.json
          : delivery.bytes = utf8(delivery.json)),
      headers,
      timeoutMs: settings.timeoutMs,
      fetch: settings.fetch,
      runtimeFetch: settings.runtimeFetch,
      signal,
    });
    attempt.durationMs = Math.round(performance.now() - startedAt);
    const record: RecordContext = {
      ...context,
      attempt: plan.number,
      durationMs: attempt.durationMs,
    };
    if (outcome.response) {
      attempt.status = record.status = outcome.response.status;
    } else {
      attempt.error = record.error = outcome.error;
    }

    const verdict = classifyAttempt(outcome, settings.retryOnStatus);
    if (verdict !== "delivered" && outcome.response) {
      record.responseExcerpt = outcome.response.excerpt;
      if (outcome.response.excerpt !== "") {
        attempt.responseExcerpt = outcome.response.excerpt;
      }
      if (outcome.response.location !== null) {
        record.location = redactUrl(outcome.response.location);
      }
    }
    if (verdict !== "retry") {
      logEnding(settings.logger, ENDING_OF[verdict], record);
      return { attempt, ending: ENDING_OF[verdict] };
    }
    if (plan.nextDelayMs === undefined) {
      logEnding(settings.logger, "exhausted", record);
      return { attempt, ending: "exhausted" };
    }
    attempt.retryInMs = record.retryInMs = retryDelayMs({
      scheduledMs: plan.nextDelayMs,
      jitter: settings.jitter,
      retryAfterMs: parseRetryAfterMs(
        outcome.response?.retryAfter ?? null,
        Date.now(),
      ),
      maxRetryAfterMs: settings.maxRetryAfterMs,
    });
    logEnding(settings.logger, "retrying", record);
    return { attempt };
  }

  /** Logs an ending that no attempt's record carries, and returns it. */
  end(
    ending: Exclude<Ending, "retrying">,
    context: RecordContext & { error: DeliveryError },
  ): AttemptStep {
    logEnding(this.options.logger, ending, context);
    return { ending, error: context.error };
  }

  /** Logs why a delivery is invalid, and returns it as an ending. */
  invalid(delivery: InvalidDelivery): AttemptStep {
    return this.end("invalid", {
      webhookId: delivery.id,
      url: delivery.loggedUrl,
      error: delivery.error,
    });
  }
}
