import type { DeliveryAttempt } from "../send/delivery_result.ts";
import {
  breakerLimit,
  type BreakerState,
  CLOSED,
  mergeLimit,
  nextBreakerState,
} from "./_breaker_state.ts";
import {
  abandonedReason,
  type ClaimCandidate,
  disabledReason,
  newToken,
  noTransaction,
  planClaim,
} from "./_claim_plan.ts";
import { pageCursor, readCursor } from "./_page_cursor.ts";
import { messageRecord } from "./_message_record.ts";
import { endpointRecord } from "./_endpoint_record.ts";
import type {
  AttemptResult,
  ClaimOptions,
  ClaimResult,
  EndpointRecord,
  EnqueueResult,
  ListOptions,
  MessagePage,
  MessageRecord,
  MessageStatus,
  NewMessage,
  RecordOutcome,
  ReplayFilter,
  StoreEnqueueOptions,
  StoreStats,
  WebhookStore,
} from "./store.ts";

interface StoredMessage extends NewMessage {
  seq: number;
  status: MessageStatus;
  updatedAt: number;
  nextAttemptAt: number;
  leaseToken: string | null;
  leaseUntil: number;
  claims: number;
  scheduleIndex: number;
  attempts: DeliveryAttempt[];
  deadReason: string | undefined;
}

/**
 * A {@linkcode WebhookStore} in this process's memory: the queue's
 * behaviour (non-blocking enqueue, bounded concurrency, retries, the circuit
 * breaker) without its durability. Whatever it holds is gone when the
 * process ends; use `SqliteStore` from `./sqlite` to keep it.
 *
 * @example A queue that only makes delivery non-blocking
 * ```ts
 * import { MemoryStore, silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue({
 *   store: new MemoryStore(),
 *   logger: silentLogger,
 * });
 * const { id } = await queue.enqueue("https://monitoring.example/hooks", {
 *   event_type: "task.completed",
 * });
 * console.log((await queue.get(id))?.status); // "pending": start() was not called
 * ```
 */
export class MemoryStore implements WebhookStore {
  readonly #messages = new Map<string, StoredMessage>();
  readonly #disabled = new Map<string, string>();
  readonly #breakers = new Map<string, BreakerState>();
  #seq = 0;

  /** {@inheritDoc WebhookStore.enqueue} */
  enqueue(
    messages: readonly NewMessage[],
    options?: StoreEnqueueOptions,
  ): Promise<EnqueueResult[]> {
    if (options?.transaction !== undefined) {
      return Promise.reject(noTransaction("MemoryStore"));
    }
    const results: EnqueueResult[] = [];
    for (const message of messages) {
      const stored = this.#messages.get(message.id);
      if (stored) {
        results.push({
          id: message.id,
          duplicate: true,
          status: stored.status,
        });
        continue;
      }
      const disabled = this.#disabled.get(message.endpoint);
      const status = disabled === undefined ? "pending" : "dead";
      this.#messages.set(message.id, {
        ...message,
        headers: { ...message.headers },
        seq: ++this.#seq,
        status,
        updatedAt: message.createdAt,
        nextAttemptAt: message.createdAt,
        leaseToken: null,
        leaseUntil: 0,
        claims: 0,
        scheduleIndex: 0,
        attempts: [],
        deadReason: disabled === undefined
          ? undefined
          : disabledReason(disabled),
      });
      results.push({ id: message.id, duplicate: false, status });
    }
    return Promise.resolve(results);
  }

  /** {@inheritDoc WebhookStore.claim} */
  claim(options: ClaimOptions): Promise<ClaimResult> {
    const { now } = options;
    const abandoned: string[] = [];
    const leased = new Map<string, number>();
    const due: StoredMessage[] = [];
    let nextDueAt: number | undefined;
    for (const message of this.#messages.values()) {
      if (message.status !== "pending") continue;
      if (message.leaseUntil > now) {
        leased.set(message.endpoint, (leased.get(message.endpoint) ?? 0) + 1);
      } else if (message.claims >= options.maxClaimsWithoutResult) {
        this.#kill(message, abandonedReason(message.claims), now);
        abandoned.push(message.id);
      } else if (message.nextAttemptAt <= now) {
        due.push(message);
      } else if (nextDueAt === undefined || message.nextAttemptAt < nextDueAt) {
        nextDueAt = message.nextAttemptAt;
      }
    }
    due.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.seq - b.seq);
    const endpointLimits = new Map(options.endpointLimits);
    if (options.breaker) {
      for (const [endpoint, state] of this.#breakers) {
        mergeLimit(endpointLimits, endpoint, breakerLimit(state, now));
        if (state.trips > 0 && state.pausedUntil > now) {
          nextDueAt = Math.min(nextDueAt ?? Infinity, state.pausedUntil);
        }
      }
    }
    const chosen = new Set(
      planClaim(due as ClaimCandidate[], leased, {
        ...options,
        endpointLimits,
      }).map(({ id }) => id),
    );
    const messages = [];
    for (const message of due) {
      if (!chosen.has(message.id)) {
        nextDueAt = Math.min(nextDueAt ?? Infinity, message.nextAttemptAt);
        continue;
      }
      message.leaseToken = newToken();
      message.leaseUntil = now + options.leaseMs;
      message.claims++;
      messages.push({
        id: message.id,
        url: message.url,
        loggedUrl: message.loggedUrl,
        endpoint: message.endpoint,
        body: message.body,
        headers: { ...message.headers },
        token: message.leaseToken,
        attempts: message.attempts.length,
        scheduleIndex: message.scheduleIndex,
      });
    }
    return Promise.resolve({ messages, abandoned, nextDueAt });
  }

  /** {@inheritDoc WebhookStore.record} */
  record(results: readonly AttemptResult[]): Promise<RecordOutcome[]> {
    return Promise.resolve(results.map((result) => {
      const message = this.#messages.get(result.id);
      if (
        !message || message.status !== "pending" ||
        message.leaseToken !== result.token
      ) return { recorded: false };
      message.leaseToken = null;
      message.leaseUntil = 0;
      message.updatedAt = result.now;
      if (result.attempt) {
        message.attempts.push(structuredClone(result.attempt));
        message.scheduleIndex++;
      }
      const { decision } = result;
      if (decision.type === "release") {
        message.claims = Math.max(0, message.claims - 1);
        message.nextAttemptAt = result.now;
      } else {
        message.claims = 0;
        if (decision.type === "retry") message.nextAttemptAt = decision.at;
        else if (decision.type === "delivered") message.status = "delivered";
        else this.#kill(message, decision.reason, result.now);
      }
      if (!result.breaker || !result.health) return { recorded: true };
      const { state, change } = nextBreakerState(
        this.#breakers.get(message.endpoint) ?? CLOSED,
        result.health,
        result.now,
        result.breaker,
      );
      if (state.failures === 0) this.#breakers.delete(message.endpoint);
      else this.#breakers.set(message.endpoint, state);
      return change
        ? { recorded: true, endpointChange: change }
        : { recorded: true };
    }));
  }

  /** {@inheritDoc WebhookStore.disableEndpoint} */
  disableEndpoint(
    endpoint: string,
    reason: string,
    now: number,
  ): Promise<number> {
    this.#disabled.set(endpoint, reason);
    let count = 0;
    for (const message of this.#messages.values()) {
      if (message.endpoint === endpoint && message.status === "pending") {
        this.#kill(message, disabledReason(reason), now);
        count++;
      }
    }
    return Promise.resolve(count);
  }

  /** {@inheritDoc WebhookStore.enableEndpoint} */
  enableEndpoint(endpoint: string): Promise<boolean> {
    return Promise.resolve(this.#disabled.delete(endpoint));
  }

  /** {@inheritDoc WebhookStore.get} */
  get(id: string): Promise<MessageRecord | undefined> {
    const message = this.#messages.get(id);
    return Promise.resolve(
      message && { ...toRecord(message, Date.now()), body: message.body },
    );
  }

  /** {@inheritDoc WebhookStore.list} */
  list(options: ListOptions = {}): Promise<MessagePage> {
    let after: number;
    try {
      after = readCursor(options.cursor);
    } catch (error) {
      return Promise.reject(error);
    }
    const limit = options.limit ?? 100;
    const messages: MessageRecord[] = [];
    let last: StoredMessage | undefined;
    for (const message of this.#messages.values()) {
      if (message.seq <= after) continue;
      if (options.status && message.status !== options.status) continue;
      if (options.endpoint && message.endpoint !== options.endpoint) continue;
      if (messages.length === limit) {
        return Promise.resolve({ messages, cursor: pageCursor(last!.seq) });
      }
      messages.push(toRecord(message, Date.now()));
      last = message;
    }
    return Promise.resolve({ messages });
  }

  /** {@inheritDoc WebhookStore.stats} */
  stats(now: number): Promise<StoreStats> {
    const stats: StoreStats = {
      pending: 0,
      delivered: 0,
      dead: 0,
      inFlight: 0,
      disabledEndpoints: [...this.#disabled].map(([endpoint, reason]) => ({
        endpoint,
        reason,
      })),
    };
    for (const message of this.#messages.values()) {
      stats[message.status]++;
      if (message.status === "pending" && message.leaseUntil > now) {
        stats.inFlight++;
      }
    }
    return Promise.resolve(stats);
  }

  /** {@inheritDoc WebhookStore.endpoints} */
  endpoints(now: number): Promise<EndpointRecord[]> {
    const counts = new Map<string, Record<MessageStatus, number>>();
    const countsOf = (endpoint: string) => {
      let entry = counts.get(endpoint);
      if (!entry) {
        entry = { pending: 0, delivered: 0, dead: 0 };
        counts.set(endpoint, entry);
      }
      return entry;
    };
    for (const message of this.#messages.values()) {
      countsOf(message.endpoint)[message.status]++;
    }
    for (const endpoint of this.#disabled.keys()) countsOf(endpoint);
    for (const endpoint of this.#breakers.keys()) countsOf(endpoint);
    return Promise.resolve(
      [...counts.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0).map(
        (endpoint) => {
          const disabled = this.#disabled.get(endpoint) ?? null;
          return endpointRecord(
            endpoint,
            counts.get(endpoint)!,
            this.#breakers.get(endpoint) ?? CLOSED,
            disabled,
            now,
          );
        },
      ),
    );
  }

  /** {@inheritDoc WebhookStore.replay} */
  replay(id: string, now: number): Promise<boolean> {
    const message = this.#messages.get(id);
    if (!message || message.status === "pending") return Promise.resolve(false);
    this.#revive(message, now);
    return Promise.resolve(true);
  }

  /** {@inheritDoc WebhookStore.replayDead} */
  replayDead(filter: ReplayFilter, now: number): Promise<number> {
    let count = 0;
    for (const message of this.#messages.values()) {
      if (
        message.status === "dead" &&
        (filter.endpoint === undefined ||
          message.endpoint === filter.endpoint) &&
        (filter.since === undefined || message.createdAt >= filter.since) &&
        (filter.until === undefined || message.createdAt < filter.until)
      ) {
        this.#revive(message, now);
        count++;
      }
    }
    return Promise.resolve(count);
  }

  /** {@inheritDoc WebhookStore.prune} */
  prune(before: number): Promise<number> {
    let count = 0;
    for (const [id, message] of this.#messages) {
      if (message.status === "delivered" && message.updatedAt < before) {
        this.#messages.delete(id);
        count++;
      }
    }
    return Promise.resolve(count);
  }

  /** {@inheritDoc WebhookStore.close} */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #kill(message: StoredMessage, reason: string, now: number): void {
    message.status = "dead";
    message.deadReason = reason;
    message.updatedAt = now;
    message.leaseToken = null;
    message.leaseUntil = 0;
  }

  #revive(message: StoredMessage, now: number): void {
    message.status = "pending";
    message.deadReason = undefined;
    message.updatedAt = now;
    message.nextAttemptAt = now;
    message.claims = 0;
    message.scheduleIndex = 0;
  }
}

function toRecord(message: StoredMessage, now: number): MessageRecord {
  return messageRecord({
    ...message,
    leased: message.leaseUntil > now,
    attempts: structuredClone(message.attempts),
  });
}
