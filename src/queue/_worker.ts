import { textOf } from "../_shared/_safe_text.ts";
import { redactText } from "../_shared/_redact.ts";
import type { AttemptStep, Sender } from "../send/_sender.ts";
import type { PreparedDelivery } from "../send/_prepare_delivery.ts";
import { decide } from "./_decide.ts";
import type { NormalizedQueueOptions } from "./_normalize_queue_options.ts";
import { logQueue } from "./_queue_log.ts";
import type { WebhookQueueEvent } from "./events.ts";
import type { ClaimedMessage, EndpointChange } from "./store.ts";

const MAX_STORE_BACKOFF_MS = 30_000;

/**
 * Claims due messages, makes one attempt each, records the results, and
 * sleeps until the next is due, an enqueue of this process wakes it, or
 * the poll interval ends. A store error is logged and retried with backoff;
 * it never ends the loop.
 */
export class Worker {
  readonly #options: NormalizedQueueOptions;
  readonly #sender: Sender;
  /** Aborts attempts still in flight when `close()`'s grace ends. */
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  /** Results of finished attempts being recorded. */
  readonly #settling = new Set<Promise<void>>();
  #running = false;
  #pumping = false;
  /** Whether the last claim took all it asked for: more are likely due. */
  #backlog = false;
  #refillTimer: ReturnType<typeof setTimeout> | undefined;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #storeFailures = 0;
  #unsubscribe: (() => Promise<void>) | undefined;
  #lastPrune = 0;

  constructor(options: NormalizedQueueOptions, sender: Sender) {
    this.#options = options;
    this.#sender = sender;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running || this.#abort.signal.aborted) return;
    this.#running = true;
    // Enqueues of other processes wake this one, where the store can tell.
    this.#unsubscribe = this.#options.store.subscribe?.(() => this.wake());
    this.wake();
  }

  /** Claims at once: a message of this process was stored, or replayed. */
  wake(): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  /** Stops claiming; after `graceMs`, aborts what is in flight (it is put back uncounted). */
  async stop(graceMs: number): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch(() => {});
    if (this.#inFlight.size > 0) {
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(this.#inFlight),
        new Promise((resolve) => graceTimer = setTimeout(resolve, graceMs)),
      ]);
      clearTimeout(graceTimer);
    }
    this.#abort.abort(new DOMException("The queue is closing", "AbortError"));
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    while (this.#settling.size > 0) await Promise.all(this.#settling);
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
  }

  async #pump(): Promise<void> {
    const options = this.#options;
    this.#pumping = true;
    let wakeAt: number | undefined;
    try {
      do {
        this.#again = false;
        while (this.#running && this.#inFlight.size < options.concurrency) {
          const now = Date.now();
          const limit = options.concurrency - this.#inFlight.size;
          const claimed = await options.store.claim({
            now,
            limit,
            leaseMs: options.leaseMs,
            endpointLimit: options.endpointConcurrency,
            breaker: options.circuitBreaker || undefined,
            maxClaimsWithoutResult: options.maxClaimsWithoutResult,
          });
          this.#storeFailures = 0;
          for (const id of claimed.abandoned) {
            logQueue(options.sender.logger, "error", "Webhook abandoned", {
              webhookId: id,
              claims: options.maxClaimsWithoutResult,
            });
            this.#reportAbandoned(id);
          }
          for (const message of claimed.messages) this.#track(message);
          wakeAt = claimed.nextDueAt;
          this.#backlog = claimed.messages.length === limit;
          if (!this.#backlog) break;
        }
        this.#prune();
      } while (this.#again && this.#running);
    } catch (error) {
      this.#storeFailures++;
      const backoffMs = Math.min(
        100 * 2 ** Math.min(this.#storeFailures - 1, 20),
        MAX_STORE_BACKOFF_MS,
      );
      logQueue(options.sender.logger, "error", "Webhook queue store error", {
        operation: "claim",
        error: redactText(textOf(error)),
        retryInMs: backoffMs,
      });
      wakeAt = Date.now() + backoffMs;
    } finally {
      this.#pumping = false;
    }
    this.#sleep(wakeAt);
  }

  /** Sleeps until `wakeAt` (which counts a breaker's probe) or the poll interval, whichever is first. */
  #sleep(wakeAt: number | undefined): void {
    if (!this.#running) return;
    if (this.#again) return this.wake();
    const now = Date.now();
    let at = now + this.#options.pollIntervalMs;
    if (wakeAt !== undefined && wakeAt > now) at = Math.min(at, wakeAt);
    // Due now but not claimed (other endpoints' limits, or a full process):
    // an attempt ending wakes the loop; the poll interval covers the rest.
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, Math.max(0, at - now));
  }

  /**
   * After an attempt: claim again. With a backlog, wait a millisecond so
   * that the attempts ending meanwhile share one claim (one transaction)
   * rather than taking one each.
   */
  #refill(): void {
    if (!this.#backlog) return this.wake();
    this.#refillTimer ??= setTimeout(() => {
      this.#refillTimer = undefined;
      this.wake();
    }, 1);
  }

  #track(message: ClaimedMessage): void {
    const run = this.#deliver(message).finally(() => {
      this.#inFlight.delete(run);
      this.#refill();
    });
    this.#inFlight.add(run);
  }

  async #deliver(message: ClaimedMessage): Promise<void> {
    const sender = this.#sender;
    const schedule = sender.options.retryDelaysMs;
    const delivery: PreparedDelivery = {
      id: message.id,
      url: message.url,
      loggedUrl: message.loggedUrl,
      json: message.body,
      bytes: undefined,
      headers: message.headers,
      signal: { signal: this.#abort.signal, release() {} },
    };
    let step: AttemptStep;
    try {
      step = await sender.guard(delivery) ??
        await sender.attempt(delivery, {
          number: message.scheduleIndex + 1,
          maxAttempts: schedule.length + 1,
          nextDelayMs: schedule[message.scheduleIndex],
        });
    } catch (error) {
      // The sender does not throw; should it ever, the lease expires and
      // another claim retries, bounded by maxClaimsWithoutResult.
      logQueue(sender.options.logger, "error", "Webhook queue attempt error", {
        webhookId: message.id,
        error: redactText(textOf(error)),
      });
      return;
    }
    const now = Date.now();
    const { decision, health, gone } = decide(step, now);
    // The slot is free once the request is over; the result is committed
    // with others (group commit) while the next attempts start. The lease
    // holds until then, so nobody claims the message meanwhile.
    const settling = (async () => {
      const change = await this.#record(message, step, decision, health, now);
      this.#afterAttempt(message, step, decision, change, now);
      if (gone) await this.#disable(message.endpoint, now);
    })();
    this.#settling.add(settling);
    // Its lease counted toward the endpoint's limit until now: claim again.
    void settling.finally(() => {
      this.#settling.delete(settling);
      this.#refill();
    });
  }

  async #record(
    message: ClaimedMessage,
    step: AttemptStep,
    decision: ReturnType<typeof decide>["decision"],
    health: ReturnType<typeof decide>["health"],
    now: number,
  ): Promise<EndpointChange | undefined> {
    const logger = this.#sender.options.logger;
    try {
      const [outcome] = await this.#options.store.record([{
        id: message.id,
        token: message.token,
        now,
        // An attempt cut short by close() is not one: it leaves no trace.
        attempt: decision.type === "release" ? undefined : step.attempt,
        decision,
        health,
        breaker: this.#options.circuitBreaker || undefined,
      }]);
      if (!outcome?.recorded) {
        logQueue(logger, "warn", "Webhook attempt not recorded: lease lost", {
          webhookId: message.id,
          leaseMs: this.#options.leaseMs,
        });
      }
      return outcome?.endpointChange;
    } catch (error) {
      // Still leased: when the lease ends the message is claimed again.
      logQueue(logger, "error", "Webhook queue store error", {
        operation: "record",
        webhookId: message.id,
        error: redactText(textOf(error)),
      });
      return undefined;
    }
  }

  #afterAttempt(
    message: ClaimedMessage,
    step: AttemptStep,
    decision: ReturnType<typeof decide>["decision"],
    change: EndpointChange | undefined,
    now: number,
  ): void {
    const { endpoint, id } = message;
    const attempt = step.attempt;
    if (decision.type === "delivered" && attempt) {
      this.#emit({ type: "delivered", id, endpoint, attempt });
    } else if (decision.type === "retry") {
      this.#emit({
        type: "retrying",
        id,
        endpoint,
        ...(attempt ? { attempt } : {}),
        nextAttemptAt: new Date(decision.at).toISOString(),
      });
    } else if (decision.type === "dead") {
      this.#emit({
        type: "dead",
        id,
        endpoint,
        reason: decision.reason,
        ...(attempt ? { attempt } : {}),
      });
    }
    if (change?.type === "paused") {
      logQueue(this.#sender.options.logger, "warn", "Webhook endpoint paused", {
        endpoint,
        failures: change.failures,
        pausedForMs: change.until - now,
      });
      this.#emit({
        type: "endpoint.paused",
        endpoint,
        failures: change.failures,
        until: new Date(change.until).toISOString(),
      });
    } else if (change?.type === "resumed") {
      logQueue(
        this.#sender.options.logger,
        "info",
        "Webhook endpoint resumed",
        {
          endpoint,
        },
      );
      this.#emit({ type: "endpoint.resumed", endpoint });
    }
  }

  async #disable(endpoint: string, now: number): Promise<void> {
    const reason = "the receiver answered 410 Gone";
    const logger = this.#sender.options.logger;
    try {
      const count = await this.#options.store.disableEndpoint(
        endpoint,
        reason,
        now,
      );
      logQueue(logger, "error", "Webhook endpoint disabled", {
        endpoint,
        reason,
        deadMessages: count,
      });
      this.#emit({ type: "endpoint.disabled", endpoint, reason });
    } catch (error) {
      logQueue(logger, "error", "Webhook queue store error", {
        operation: "disableEndpoint",
        endpoint,
        error: redactText(textOf(error)),
      });
    }
  }

  #prune(): void {
    const now = Date.now();
    const retention = this.#options.deliveredRetentionMs;
    if (now - this.#lastPrune < Math.min(retention, 60_000)) return;
    this.#lastPrune = now;
    this.#options.store.prune(now - retention).catch((error) =>
      logQueue(
        this.#sender.options.logger,
        "error",
        "Webhook queue store error",
        {
          operation: "prune",
          error: redactText(textOf(error)),
        },
      )
    );
  }

  /** Emits `dead` for a message its claims gave up on, as the store tells it. */
  #reportAbandoned(id: string): void {
    if (!this.#options.onEvent) return;
    const reporting: Promise<void> = this.#options.store.get(id).then(
      (record) => {
        if (record?.status !== "dead") return;
        this.#emit({
          type: "dead",
          id,
          endpoint: record.endpoint,
          reason: record.deadReason ?? "",
        });
      },
      () => {},
    ).finally(() => this.#settling.delete(reporting));
    this.#settling.add(reporting);
  }

  #emit(event: WebhookQueueEvent): void {
    const onEvent = this.#options.onEvent;
    if (!onEvent) return;
    try {
      onEvent(event);
    } catch (error) {
      logQueue(
        this.#sender.options.logger,
        "error",
        "Webhook queue event handler threw",
        {
          event: event.type,
          error: redactText(textOf(error)),
        },
      );
    }
  }
}
