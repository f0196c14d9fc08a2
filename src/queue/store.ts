/**
 * The contract between {@linkcode WebhookQueue} and where its messages live.
 * Every store passes the same contract test suite; a store keeps no clock
 * of its own: each call that needs the time is given it.
 *
 * @module
 */
import type { DeliveryAttempt } from "../send/delivery_result.ts";

/**
 * Where a message stands: waiting for an attempt (or in one), accepted by its
 * receiver, or given up on.
 *
 * @example Listing the messages given up on
 * ```ts
 * import { type MessageStatus, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const status: MessageStatus = "dead";
 * const { messages } = await queue.list({ status });
 * console.log(messages.length); // 0
 * ```
 */
export type MessageStatus = "pending" | "delivered" | "dead";

/**
 * A message as `enqueue` stores it: checked, serialized, ready to send.
 * Stores receive it from {@linkcode WebhookQueue}; only a store's own tests
 * build one by hand.
 *
 * @example Storing a message in a store directly
 * ```ts
 * import { MemoryStore, type NewMessage } from "@omoi/webhook-delivery";
 *
 * const message: NewMessage = {
 *   id: "msg_1",
 *   url: "https://monitoring.example/hooks",
 *   loggedUrl: "https://monitoring.example/hooks",
 *   endpoint: "https://monitoring.example",
 *   body: JSON.stringify({ event_type: "task.completed" }),
 *   headers: { "content-type": "application/json" },
 *   createdAt: Date.now(),
 * };
 * const store = new MemoryStore();
 * const [result] = await store.enqueue([message]);
 * console.log(result?.duplicate); // false
 * ```
 */
export interface NewMessage {
  /** The `webhook-id`; a message whose id is stored already is a duplicate. */
  id: string;
  /** The URL sent to, with any credentials moved into `headers`. */
  url: string;
  /** The URL in its redacted form, as log records and inspection show it. */
  loggedUrl: string;
  /** The key that concurrency limits, the circuit breaker and `410 Gone` apply to. */
  endpoint: string;
  /** The JSON text of the payload. */
  body: string;
  /** Every header to send except the signature, which each attempt makes anew. */
  headers: Record<string, string>;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/**
 * How `enqueue` stores.
 *
 * @example Enqueuing without a transaction
 * ```ts
 * import type { StoreEnqueueOptions } from "@omoi/webhook-delivery";
 *
 * // Only PostgresStore joins a transaction; see its `transaction` option.
 * const options: StoreEnqueueOptions = {};
 * console.log(options.transaction); // undefined
 * ```
 */
export interface StoreEnqueueOptions {
  /**
   * The caller's open transaction, in the form the store takes (for
   * `PostgresStore`, a client wrapped like its own): the messages are stored
   * if and only if it commits. Stores that cannot join one reject.
   */
  transaction?: unknown;
}

/**
 * What `enqueue` did with one message.
 *
 * @example Telling a new message from a duplicate
 * ```ts
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const url = "https://monitoring.example/hooks";
 * await queue.enqueue(url, { task_id: "t1" }, { id: "evt_1" });
 * const again = await queue.enqueue(url, { task_id: "t1" }, { id: "evt_1" });
 * console.log(again.duplicate); // true
 * ```
 */
export interface EnqueueResult {
  /** The id given or made. */
  id: string;
  /** `true` when a message with this id was stored already: nothing new is. */
  duplicate: boolean;
  /** `dead` when its endpoint is disabled; for a duplicate, the stored one's. */
  status: MessageStatus;
}

/**
 * What a worker asks of `claim`.
 *
 * @example Claiming due messages by hand
 * ```ts
 * import { type ClaimOptions, MemoryStore } from "@omoi/webhook-delivery";
 *
 * const store = new MemoryStore();
 * const options: ClaimOptions = {
 *   now: Date.now(),
 *   limit: 10,
 *   leaseMs: 60_000,
 *   endpointLimit: 4,
 *   maxClaimsWithoutResult: 5,
 * };
 * const { messages } = await store.claim(options);
 * console.log(messages.length); // 0
 * ```
 */
export interface ClaimOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** The most messages to claim. */
  limit: number;
  /** How long the claim holds: nobody else claims the message before `now + leaseMs`. */
  leaseMs: number;
  /** The most messages of one endpoint under lease at once, over every worker. */
  endpointLimit: number;
  /** Per-endpoint exceptions to `endpointLimit`: 0 skips an endpoint, 1 lets one probe through. */
  endpointLimits?: ReadonlyMap<string, number> | undefined;
  /**
   * A message claimed this many times without a result recorded (each
   * claim ended by a crash or a lost lease) goes `dead` instead.
   */
  maxClaimsWithoutResult: number;
  /**
   * When given, the endpoints' circuit-breaker state, as the store keeps it
   * for every worker, limits the claim too: a paused endpoint gets nothing
   * (limit 0) and, once its pause is over, one probe at a time (limit 1)
   * until a success resumes it. `nextDueAt` then also counts the nearest
   * end of a pause, so the worker wakes for the probe.
   */
  breaker?: BreakerSettings | undefined;
}

/**
 * The circuit breaker's settings, with defaults applied: after
 * `failureThreshold` failures in a row an endpoint is paused for
 * `cooldownMs`, doubled each time its probe fails, up to `maxCooldownMs`.
 *
 * @example The settings a queue passes with its claims and results
 * ```ts
 * import type { BreakerSettings } from "@omoi/webhook-delivery";
 *
 * const breaker: BreakerSettings = {
 *   failureThreshold: 5,
 *   cooldownMs: 30_000,
 *   maxCooldownMs: 600_000,
 * };
 * console.log(breaker.failureThreshold); // 5
 * ```
 */
export interface BreakerSettings {
  /** Failures in a row that pause an endpoint. */
  failureThreshold: number;
  /** The first pause, in milliseconds. */
  cooldownMs: number;
  /** The longest pause, in milliseconds. */
  maxCooldownMs: number;
}

/**
 * How an attempt speaks of its endpoint: `failure` counts toward the
 * circuit breaker, `success` closes it, `none` (nothing was sent, or the
 * attempt was cut short) leaves it as it is.
 *
 * @example The health of a 503
 * ```ts
 * import type { EndpointHealth } from "@omoi/webhook-delivery";
 *
 * const status = 503;
 * const health: EndpointHealth = status >= 500 ? "failure" : "success";
 * console.log(health); // "failure"
 * ```
 */
export type EndpointHealth = "success" | "failure" | "none";

/**
 * A change of an endpoint's circuit breaker that recording a result made:
 * paused until a time (milliseconds since the epoch) after `failures`
 * failures in a row, or resumed by a probe that succeeded.
 *
 * @example Describing a change
 * ```ts
 * import type { EndpointChange } from "@omoi/webhook-delivery";
 *
 * function describe(change: EndpointChange): string {
 *   return change.type === "paused"
 *     ? `paused after ${change.failures} failures`
 *     : "resumed";
 * }
 * console.log(describe({ type: "paused", failures: 5, until: 0 }));
 * ```
 */
export type EndpointChange =
  | { type: "paused"; failures: number; until: number }
  | { type: "resumed" };

/**
 * What `record` did with one result.
 *
 * @example A result under a lease that no longer holds
 * ```ts
 * import { MemoryStore } from "@omoi/webhook-delivery";
 *
 * const store = new MemoryStore();
 * const [outcome] = await store.record([{
 *   id: "msg_unknown",
 *   token: "stale",
 *   now: Date.now(),
 *   decision: { type: "delivered" },
 * }]);
 * console.log(outcome?.recorded); // false
 * ```
 */
export interface RecordOutcome {
  /** `false` when the result's token no longer held the lease: nothing was written. */
  recorded: boolean;
  /** Present when this result paused or resumed the message's endpoint. */
  endpointChange?: EndpointChange;
}

/**
 * A message under lease: the worker holding `token` may record its attempt.
 * It holds what was enqueued (but the creation time) and where it stands.
 *
 * @example What a worker sends
 * ```ts
 * import type { ClaimedMessage } from "@omoi/webhook-delivery";
 *
 * function describe(message: ClaimedMessage): string {
 *   return `${message.id} to ${message.loggedUrl}, attempt ${message.attempts + 1}`;
 * }
 * console.log(describe({
 *   id: "msg_1",
 *   url: "https://monitoring.example/hooks",
 *   loggedUrl: "https://monitoring.example/hooks",
 *   endpoint: "https://monitoring.example",
 *   body: "{}",
 *   headers: {},
 *   token: "lease_1",
 *   attempts: 0,
 *   scheduleIndex: 0,
 * }));
 * ```
 */
export interface ClaimedMessage extends Omit<NewMessage, "createdAt"> {
  /** The lease's token: a result with an older token is not recorded. */
  token: string;
  /** Attempts recorded in all, over every replay. */
  attempts: number;
  /** Attempts recorded since it was enqueued or last replayed: its place in the schedule. */
  scheduleIndex: number;
}

/**
 * The messages claimed, and those given up because claims kept ending
 * without a result.
 *
 * @example When to claim next
 * ```ts
 * import { MemoryStore } from "@omoi/webhook-delivery";
 *
 * const store = new MemoryStore();
 * const { messages, nextDueAt } = await store.claim({
 *   now: Date.now(),
 *   limit: 10,
 *   leaseMs: 60_000,
 *   endpointLimit: 4,
 *   maxClaimsWithoutResult: 5,
 * });
 * console.log(messages.length, nextDueAt); // 0 undefined
 * ```
 */
export interface ClaimResult {
  /** The messages leased, each with its token. */
  messages: ClaimedMessage[];
  /** Ids that went `dead` in this call. */
  abandoned: string[];
  /**
   * When the next pending message not claimed now falls due, in
   * milliseconds since the epoch; `undefined` when none is waiting.
   */
  nextDueAt: number | undefined;
}

/**
 * What becomes of a message after an attempt.
 *
 * @example Retrying in a minute
 * ```ts
 * import type { AttemptDecision } from "@omoi/webhook-delivery";
 *
 * const decision: AttemptDecision = { type: "retry", at: Date.now() + 60_000 };
 * console.log(decision.type); // "retry"
 * ```
 */
export type AttemptDecision =
  | { type: "delivered" }
  | { type: "retry"; at: number }
  | { type: "dead"; reason: string }
  /** Back to pending, due at once, with no attempt counted (the worker stopped). */
  | { type: "release" };

/**
 * The result of one attempt, for `record`.
 *
 * @example Recording a delivery for a claimed message
 * ```ts
 * import { type AttemptResult, MemoryStore } from "@omoi/webhook-delivery";
 *
 * const store = new MemoryStore();
 * const now = Date.now();
 * await store.enqueue([{
 *   id: "msg_1",
 *   url: "https://monitoring.example/hooks",
 *   loggedUrl: "https://monitoring.example/hooks",
 *   endpoint: "https://monitoring.example",
 *   body: "{}",
 *   headers: {},
 *   createdAt: now,
 * }]);
 * const { messages: [claimed] } = await store.claim({
 *   now,
 *   limit: 1,
 *   leaseMs: 60_000,
 *   endpointLimit: 1,
 *   maxClaimsWithoutResult: 5,
 * });
 * const result: AttemptResult = {
 *   id: "msg_1",
 *   token: claimed!.token,
 *   now,
 *   decision: { type: "delivered" },
 *   health: "success",
 * };
 * const [outcome] = await store.record([result]);
 * console.log(outcome?.recorded); // true
 * ```
 */
export interface AttemptResult {
  /** The message's id. */
  id: string;
  /** The token of the lease the attempt was made under. */
  token: string;
  /** Milliseconds since the epoch. */
  now: number;
  /** Absent when nothing was sent. */
  attempt?: DeliveryAttempt | undefined;
  /** What becomes of the message. */
  decision: AttemptDecision;
  /**
   * How the attempt speaks of its endpoint; with `breaker`, a recorded
   * result updates the endpoint's failure count and pause in the same
   * transaction, for every worker of the store.
   * @default {"none"}
   */
  health?: EndpointHealth | undefined;
  /** The circuit breaker's settings; absent when it is turned off. */
  breaker?: BreakerSettings | undefined;
}

/**
 * A message as inspection shows it.
 *
 * @example Looking a message up
 * ```ts
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const { id } = await queue.enqueue("https://monitoring.example/hooks", {});
 * const record = await queue.get(id);
 * console.log(record?.status, record?.attempts.length); // "pending" 0
 * ```
 */
export interface MessageRecord {
  /** The `webhook-id`. */
  id: string;
  /** Redacted. */
  url: string;
  /** Its endpoint key. */
  endpoint: string;
  /** Where it stands. */
  status: MessageStatus;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: when its status or schedule last changed. */
  updatedAt: string;
  /** ISO 8601, for a pending message; `null` otherwise. */
  nextAttemptAt: string | null;
  /** Whether a worker holds a lease on it now. */
  inFlight: boolean;
  /** Why it is dead. */
  deadReason?: string;
  /** Every attempt recorded, oldest first, with the fields of `send()`'s. */
  attempts: DeliveryAttempt[];
  /**
   * The JSON text sent, from `get` only: `list` leaves it out to keep its
   * pages small. Headers are never part of a record.
   */
  body?: string;
}

/**
 * Which messages `list` returns.
 *
 * @example Every dead message, a page at a time
 * ```ts
 * import { type ListOptions, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const options: ListOptions = { status: "dead", limit: 50 };
 * do {
 *   const page = await queue.list(options);
 *   for (const message of page.messages) console.log(message.id);
 *   options.cursor = page.cursor;
 * } while (options.cursor !== undefined);
 * ```
 */
export interface ListOptions {
  /** Only messages with this status. */
  status?: MessageStatus | undefined;
  /** Only messages of this endpoint. */
  endpoint?: string | undefined;
  /**
   * The most messages on a page, 1 to 1000.
   * @default {100}
   */
  limit?: number | undefined;
  /** The `cursor` of the previous page. */
  cursor?: string | undefined;
}

/**
 * One page of `list`, oldest first.
 *
 * @example The first page of pending messages
 * ```ts
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const page = await queue.list({ status: "pending" });
 * console.log(page.messages.length, page.cursor); // 0 undefined
 * ```
 */
export interface MessagePage {
  /** The messages of this page. */
  messages: MessageRecord[];
  /** Pass it back for the next page; absent on the last one. */
  cursor?: string;
}

/**
 * Which dead messages a bulk replay puts back.
 *
 * @example Replaying an endpoint's last hour
 * ```ts
 * import { type ReplayFilter, WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const filter: ReplayFilter = {
 *   endpoint: "https://monitoring.example",
 *   since: Date.now() - 3_600_000,
 * };
 * console.log(await queue.replayDead(filter)); // 0
 * ```
 */
export interface ReplayFilter {
  /** Only messages of this endpoint. */
  endpoint?: string | undefined;
  /** Created at or after, milliseconds since the epoch. */
  since?: number | undefined;
  /** Created before, milliseconds since the epoch. */
  until?: number | undefined;
}

/**
 * Counts of messages, for dashboards and health checks.
 *
 * @example A health check
 * ```ts
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 *
 * await using queue = new WebhookQueue();
 * const { pending, dead, inFlight } = await queue.stats();
 * console.log(dead === 0 ? "healthy" : `${dead} dead`, pending, inFlight);
 * ```
 */
export interface StoreStats {
  /** Messages waiting for an attempt or in one. */
  pending: number;
  /** Messages accepted by their receiver and not yet pruned. */
  delivered: number;
  /** Messages given up on. */
  dead: number;
  /** Pending messages under a lease that has not expired. */
  inFlight: number;
  /** Endpoints disabled (by a `410 Gone` or by hand), with the reason. */
  disabledEndpoints: { endpoint: string; reason: string }[];
}

/**
 * Where an endpoint stands: receiving (`active`), `paused` by its circuit
 * breaker, letting one probe through after a pause (`probing`), or
 * `disabled` (by a `410 Gone` or by hand).
 */
export type EndpointStatus = "active" | "paused" | "probing" | "disabled";

/**
 * An endpoint as inspection shows it: its messages by status and the state
 * its circuit breaker and its switch are in, for every process of the store.
 *
 * @example Reading an endpoint's state
 * ```ts
 * import type { EndpointRecord } from "@omoi/webhook-delivery";
 *
 * const endpoint: EndpointRecord = {
 *   endpoint: "monitoring.example",
 *   status: "paused",
 *   pending: 3,
 *   delivered: 10,
 *   dead: 0,
 *   failures: 5,
 *   pausedUntil: "2026-01-01T00:00:30.000Z",
 *   disabledReason: null,
 * };
 * console.log(endpoint.status); // "paused"
 * ```
 */
export interface EndpointRecord {
  /** The endpoint key. */
  endpoint: string;
  /** Where it stands at the time asked; `disabled` wins over the breaker. */
  status: EndpointStatus;
  /** Its messages waiting for an attempt or in one. */
  pending: number;
  /** Its messages accepted and not yet pruned. */
  delivered: number;
  /** Its messages given up on. */
  dead: number;
  /** Failures in a row its circuit breaker has counted. */
  failures: number;
  /** ISO 8601: the end of its latest pause while its breaker is open or probing; `null` when closed. */
  pausedUntil: string | null;
  /** Why it is disabled; `null` when it is not. */
  disabledReason: string | null;
}

/**
 * Where a {@linkcode WebhookQueue} keeps its messages. Implement it to put
 * the queue on another database; the contract test suite in
 * `tests/queue/store_contract.ts` tells what each method must do.
 *
 * @example Counting what a store holds
 * ```ts
 * import { MemoryStore, type WebhookStore } from "@omoi/webhook-delivery";
 *
 * const store: WebhookStore = new MemoryStore();
 * const { pending, dead } = await store.stats(Date.now());
 * console.log({ pending, dead });
 * ```
 */
export interface WebhookStore {
  /** Stores messages, all or none; an id stored already is a duplicate. */
  enqueue(
    messages: readonly NewMessage[],
    options?: StoreEnqueueOptions,
  ): Promise<EnqueueResult[]>;
  /** Leases due pending messages, oldest due first, within the limits. */
  claim(options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Records results, each with the endpoint's circuit-breaker state in the
   * same transaction; a result whose token no longer holds the lease is
   * not recorded and changes nothing.
   */
  record(results: readonly AttemptResult[]): Promise<RecordOutcome[]>;
  /**
   * Disables an endpoint: its pending messages go `dead` with `reason`, and
   * new ones are stored `dead`. Returns how many went dead.
   */
  disableEndpoint(
    endpoint: string,
    reason: string,
    now: number,
  ): Promise<number>;
  /** Lets an endpoint receive again; `false` if it was not disabled. */
  enableEndpoint(endpoint: string): Promise<boolean>;
  /** A message with its attempts; `undefined` when no message has this id. */
  get(id: string): Promise<MessageRecord | undefined>;
  /** Messages oldest first, filtered, a page at a time. */
  list(options?: ListOptions): Promise<MessagePage>;
  /** Counts by status at `now`. */
  stats(now: number): Promise<StoreStats>;
  /**
   * Every endpoint that has messages, breaker state or a disabled switch,
   * ordered by key, each with its counts and its status at `now`.
   */
  endpoints(now: number): Promise<EndpointRecord[]>;
  /** Puts a dead or delivered message back, due at `now`, its schedule restarted. */
  replay(id: string, now: number): Promise<boolean>;
  /** Puts back every dead message that matches; returns how many. */
  replayDead(filter: ReplayFilter, now: number): Promise<number>;
  /** Deletes delivered messages last updated before `before`; returns how many. */
  prune(before: number): Promise<number>;
  /**
   * Optional: calls `onWake` when another process enqueues or replays a
   * message, so an idle worker claims at once instead of at its next poll.
   * Returns the function that stops it; a worker calls it before `close`.
   */
  subscribe?(onWake: () => void): () => Promise<void>;
  /** Releases what the store holds open; it is not used afterwards. */
  close(): Promise<void>;
}
