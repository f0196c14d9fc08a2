import type { DeliveryAttempt } from "../../send/delivery_result.ts";
import {
  breakerLimit,
  type BreakerState,
  CLOSED,
  mergeLimit,
  nextBreakerState,
  sameBreaker,
} from "../../queue/_breaker_state.ts";
import {
  abandonedReason,
  type ClaimCandidate,
  disabledReason,
  newToken,
  noTransaction,
  planClaim,
} from "../../queue/_claim_plan.ts";
import { GroupCommit } from "../../queue/_group_commit.ts";
import { messageRecord } from "../../queue/_message_record.ts";
import {
  endpointRecordOfRow,
  type EndpointRow,
} from "../../queue/_endpoint_record.ts";
import { pageCursor, readCursor } from "../../queue/_page_cursor.ts";
import type {
  AttemptResult,
  ClaimedMessage,
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
} from "../../queue/store.ts";
import { prepareSchema } from "./_schema.ts";
import {
  openSqliteFile,
  type SqliteDatabase,
  type SqliteStatement,
  type SqliteValue,
} from "./sqlite_database.ts";

/**
 * Where a {@linkcode SqliteStore} keeps its messages, and how safely.
 *
 * @example Fewer fsyncs, for a queue that may lose its last enqueues to a power cut
 * ```ts
 * import { SqliteStore, type SqliteStoreOptions } from "@omoi/webhook-delivery/sqlite";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const options: SqliteStoreOptions = {
 *   path: join(tmpdir(), `webhooks-${crypto.randomUUID()}.db`),
 *   synchronous: "NORMAL",
 *   busyTimeoutMs: 10_000,
 * };
 * await new SqliteStore(options).close();
 * ```
 */
export type SqliteStoreOptions =
  & (
    /** A file, opened with `node:sqlite`; created when missing. */
    | { path: string; database?: undefined }
    /** A database opened by the caller; `close()` closes it. */
    | { database: SqliteDatabase; path?: undefined }
  )
  & {
    /**
     * `FULL` syncs every enqueue's commit to disk: an enqueue confirmed is
     * one that survives a power cut. `NORMAL` survives a crash of the
     * process but may lose the last enqueues on power loss, for fewer
     * fsyncs. Claims and recorded results never wait for the disk: lost to
     * a power cut, they only make an attempt happen again.
     *
     * @default {"FULL"}
     */
    synchronous?: "FULL" | "NORMAL" | undefined;
    /**
     * How long a statement waits for another process's write lock before
     * failing with `SQLITE_BUSY`.
     *
     * @default {5000}
     */
    busyTimeoutMs?: number | undefined;
  };

interface MessageRow {
  seq: number;
  id: string;
  logged_url: string;
  endpoint: string;
  status: MessageStatus;
  created_at: number;
  updated_at: number;
  next_attempt_at: number;
  lease_until: number;
  attempts: string;
  dead_reason: string | null;
}

/**
 * A {@linkcode WebhookStore} in a SQLite file, on `node:sqlite`: no
 * dependency on Deno ≥ 2.2, Node.js ≥ 22.5 and Bun. WAL mode with
 * `synchronous=FULL` by default, so an `enqueue` that resolved survives a
 * crash or a power cut; several processes can share one file. Concurrent
 * enqueues and recorded results are written in shared transactions (group
 * commit), so durability does not cost one fsync per call.
 *
 * @example A durable queue in a file
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import { SqliteStore } from "@omoi/webhook-delivery/sqlite";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(tmpdir(), `webhooks-${crypto.randomUUID()}.db`);
 * await using queue = new WebhookQueue({
 *   store: new SqliteStore({ path }),
 *   logger: silentLogger,
 * });
 * const { id } = await queue.enqueue("https://monitoring.example/hooks", {
 *   event_type: "task.failed",
 * });
 * console.log((await queue.get(id))?.status); // "pending", and on disk
 * ```
 */
export class SqliteStore implements WebhookStore {
  readonly #options: SqliteStoreOptions;
  readonly #synchronous: "FULL" | "NORMAL";
  #database: Promise<SqliteDatabase> | undefined;
  /** The database once open: statements run synchronously inside transactions. */
  #handle: SqliteDatabase | undefined;
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #enqueues: GroupCommit<NewMessage, EnqueueResult>;
  readonly #records: GroupCommit<AttemptResult, RecordOutcome>;

  /**
   * Opens nothing yet: the file is opened, and its schema created or
   * checked, by the first call that needs it, whose promise rejects if that
   * fails.
   *
   * @param options `path` of the file, or an open `database`, and how safely to write.
   * @throws {TypeError} When neither or both of `path` and `database` are given.
   */
  constructor(options: SqliteStoreOptions) {
    if ((options?.path === undefined) === (options?.database === undefined)) {
      throw new TypeError(
        "SqliteStore needs either 'path' or 'database', and not both",
      );
    }
    this.#options = options;
    this.#synchronous = options.synchronous ?? "FULL";
    this.#enqueues = new GroupCommit(async (messages) => {
      const database = await this.#open();
      return this.#transaction(
        database,
        () => messages.map((m) => this.#insert(m)),
      );
    });
    this.#records = new GroupCommit(async (results) => {
      const database = await this.#open();
      // As for claims: a result lost to a power cut (never to a crash of the
      // process) only repeats an attempt, which at-least-once delivery
      // allows; not waiting for the disk here is worth 0.6x to 0.8x of
      // plain deliver() end to end. The next enqueue's commit syncs it.
      database.exec("PRAGMA synchronous = NORMAL");
      try {
        return this.#transaction(
          database,
          () => results.map((r) => this.#recordOne(r)),
        );
      } finally {
        database.exec(`PRAGMA synchronous = ${this.#synchronous}`);
      }
    });
  }

  /** {@inheritDoc WebhookStore.enqueue} */
  async enqueue(
    messages: readonly NewMessage[],
    options?: StoreEnqueueOptions,
  ): Promise<EnqueueResult[]> {
    if (options?.transaction !== undefined) throw noTransaction("SqliteStore");
    if (messages.length === 1) return [await this.#enqueues.push(messages[0]!)];
    const database = await this.#open();
    return this.#transaction(
      database,
      () => messages.map((m) => this.#insert(m)),
    );
  }

  /**
   * {@inheritDoc WebhookStore.claim}
   *
   * The statements of a claim name their index: without `ANALYZE` figures
   * SQLite prefers the status index and would read every pending message.
   */
  async claim(options: ClaimOptions): Promise<ClaimResult> {
    const database = await this.#open();
    // A lease lost to a power cut only lets a message be claimed again
    // sooner, so a claim's commit need not wait for the disk; the next
    // commit at full durability syncs it along with its own.
    const relaxed = this.#synchronous === "FULL";
    if (relaxed) database.exec("PRAGMA synchronous = NORMAL");
    try {
      return this.#claim(database, options);
    } finally {
      if (relaxed) database.exec("PRAGMA synchronous = FULL");
    }
  }

  #claim(database: SqliteDatabase, options: ClaimOptions): ClaimResult {
    const { now } = options;
    return this.#transaction(database, () => {
      const abandoned = (this.#all(
        `UPDATE webhook_messages
         SET status = 'dead', dead_reason = ?, updated_at = ?, lease_token = NULL, lease_until = 0
         WHERE rowid IN (SELECT rowid FROM webhook_messages INDEXED BY webhook_messages_leased
           WHERE status = 'pending' AND lease_until > 0 AND lease_until <= ? AND claims >= ?)
         RETURNING id`,
        abandonedReason(options.maxClaimsWithoutResult),
        now,
        now,
        options.maxClaimsWithoutResult,
      ) as { id: string }[]).map(({ id }) => id);
      const leased = new Map(
        (this.#all(
          `SELECT endpoint, count(*) AS held
           FROM webhook_messages INDEXED BY webhook_messages_leased
           WHERE status = 'pending' AND lease_until > 0 AND lease_until > ?
           GROUP BY endpoint`,
          now,
        ) as { endpoint: string; held: number }[]).map((
          row,
        ) => [row.endpoint, row.held]),
      );
      const candidates = this.#all(
        `SELECT id, endpoint FROM webhook_messages INDEXED BY webhook_messages_due
         WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?
         ORDER BY next_attempt_at, seq LIMIT ?`,
        now,
        now,
        Math.max(options.limit * 16, 256),
      ) as ClaimCandidate[];
      const endpointLimits = new Map(options.endpointLimits);
      let resumeAt: number | undefined;
      if (options.breaker) {
        for (
          const row of this.#all(
            `SELECT endpoint, failures, trips, paused_until FROM webhook_endpoints
             WHERE trips > 0`,
          ) as BreakerRow[]
        ) {
          const state = breakerOf(row);
          mergeLimit(endpointLimits, row.endpoint, breakerLimit(state, now));
          if (state.pausedUntil > now) {
            resumeAt = Math.min(resumeAt ?? Infinity, state.pausedUntil);
          }
        }
      }
      const chosen = planClaim(candidates, leased, {
        ...options,
        endpointLimits,
      });
      const messages: ClaimedMessage[] = chosen.map(({ id }) => {
        const token = newToken();
        const row = this.#get(
          `UPDATE webhook_messages
           SET lease_token = ?, lease_until = ?, claims = claims + 1
           WHERE id = ?
           RETURNING url, logged_url, endpoint, body, headers, schedule_index,
             json_array_length(attempts) AS attempt_count`,
          token,
          now + options.leaseMs,
          id,
        ) as {
          url: string;
          logged_url: string;
          endpoint: string;
          body: string;
          headers: string;
          schedule_index: number;
          attempt_count: number;
        };
        return {
          id,
          url: row.url,
          loggedUrl: row.logged_url,
          endpoint: row.endpoint,
          body: row.body,
          headers: JSON.parse(row.headers),
          token,
          attempts: row.attempt_count,
          scheduleIndex: row.schedule_index,
        };
      });
      const skipped = candidates.length > chosen.length;
      const next = this.#get(
        `SELECT min(next_attempt_at) AS at
         FROM webhook_messages INDEXED BY webhook_messages_due
         WHERE status = 'pending' AND next_attempt_at > ?`,
        now,
      ) as { at: number | null };
      let nextDueAt = skipped ? now : next.at ?? undefined;
      if (resumeAt !== undefined) {
        nextDueAt = Math.min(nextDueAt ?? Infinity, resumeAt);
      }
      return { messages, abandoned, nextDueAt };
    });
  }

  /** {@inheritDoc WebhookStore.record} */
  async record(results: readonly AttemptResult[]): Promise<RecordOutcome[]> {
    if (results.length === 1) return [await this.#records.push(results[0]!)];
    const database = await this.#open();
    return this.#transaction(
      database,
      () => results.map((r) => this.#recordOne(r)),
    );
  }

  /** {@inheritDoc WebhookStore.disableEndpoint} */
  async disableEndpoint(
    endpoint: string,
    reason: string,
    now: number,
  ): Promise<number> {
    const database = await this.#open();
    return this.#transaction(database, () => {
      this.#run(
        `INSERT INTO webhook_endpoints (endpoint, disabled_reason) VALUES (?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET disabled_reason = excluded.disabled_reason`,
        endpoint,
        reason,
      );
      return this.#run(
        `UPDATE webhook_messages
         SET status = 'dead', dead_reason = ?, updated_at = ?, lease_token = NULL, lease_until = 0
         WHERE endpoint = ? AND status = 'pending'`,
        disabledReason(reason),
        now,
        endpoint,
      );
    });
  }

  /** {@inheritDoc WebhookStore.enableEndpoint} */
  async enableEndpoint(endpoint: string): Promise<boolean> {
    await this.#open();
    return this.#run(
      `UPDATE webhook_endpoints SET disabled_reason = NULL
       WHERE endpoint = ? AND disabled_reason IS NOT NULL`,
      endpoint,
    ) > 0;
  }

  /** {@inheritDoc WebhookStore.get} */
  async get(id: string): Promise<MessageRecord | undefined> {
    await this.#open();
    const row = this.#get(
      "SELECT * FROM webhook_messages WHERE id = ?",
      id,
    ) as (MessageRow & { body: string }) | undefined | null;
    return row ? { ...toRecord(row, Date.now()), body: row.body } : undefined;
  }

  /** {@inheritDoc WebhookStore.list} */
  async list(options: ListOptions = {}): Promise<MessagePage> {
    const after = readCursor(options.cursor);
    const limit = options.limit ?? 100;
    await this.#open();
    const rows = this.#all(
      `SELECT * FROM webhook_messages
       WHERE seq > ? AND (? IS NULL OR status = ?) AND (? IS NULL OR endpoint = ?)
       ORDER BY seq LIMIT ?`,
      after,
      options.status ?? null,
      options.status ?? null,
      options.endpoint ?? null,
      options.endpoint ?? null,
      limit + 1,
    ) as MessageRow[];
    const now = Date.now();
    const page = rows.slice(0, limit);
    return {
      messages: page.map((row) => toRecord(row, now)),
      ...(rows.length > limit ? { cursor: pageCursor(page.at(-1)!.seq) } : {}),
    };
  }

  /** {@inheritDoc WebhookStore.stats} */
  async stats(now: number): Promise<StoreStats> {
    await this.#open();
    const stats: StoreStats = {
      pending: 0,
      delivered: 0,
      dead: 0,
      inFlight: 0,
      disabledEndpoints: [],
    };
    for (
      const row of this.#all(
        "SELECT status, count(*) AS n FROM webhook_messages GROUP BY status",
      ) as { status: MessageStatus; n: number }[]
    ) stats[row.status] = row.n;
    stats.inFlight = (this.#get(
      `SELECT count(*) AS n FROM webhook_messages INDEXED BY webhook_messages_leased
       WHERE status = 'pending' AND lease_until > 0 AND lease_until > ?`,
      now,
    ) as { n: number }).n;
    stats.disabledEndpoints = (this.#all(
      `SELECT endpoint, disabled_reason FROM webhook_endpoints
       WHERE disabled_reason IS NOT NULL ORDER BY endpoint`,
    ) as { endpoint: string; disabled_reason: string }[]).map((row) => ({
      endpoint: row.endpoint,
      reason: row.disabled_reason,
    }));
    return stats;
  }

  /** {@inheritDoc WebhookStore.endpoints} */
  async endpoints(now: number): Promise<EndpointRecord[]> {
    await this.#open();
    return (this.#all(
      `WITH counts AS (
         SELECT endpoint, sum(status = 'pending') AS pending, sum(status = 'delivered') AS delivered, sum(status = 'dead') AS dead
         FROM webhook_messages GROUP BY endpoint
       )
       SELECT k.endpoint AS endpoint, COALESCE(c.pending, 0) AS pending,
         COALESCE(c.delivered, 0) AS delivered, COALESCE(c.dead, 0) AS dead,
         e.disabled_reason AS disabled_reason, COALESCE(e.failures, 0) AS failures,
         COALESCE(e.trips, 0) AS trips, COALESCE(e.paused_until, 0) AS paused_until
       FROM (SELECT endpoint FROM counts UNION SELECT endpoint FROM webhook_endpoints) AS k
       LEFT JOIN counts AS c ON c.endpoint = k.endpoint
       LEFT JOIN webhook_endpoints AS e ON e.endpoint = k.endpoint
       WHERE c.endpoint IS NOT NULL OR e.disabled_reason IS NOT NULL
         OR e.failures > 0 OR e.trips > 0
       ORDER BY k.endpoint`,
    ) as EndpointRow[]).map((row) => endpointRecordOfRow(row, now));
  }

  /** {@inheritDoc WebhookStore.replay} */
  async replay(id: string, now: number): Promise<boolean> {
    await this.#open();
    return this.#run(
      `${REVIVE} WHERE id = ? AND status != 'pending'`,
      now,
      now,
      id,
    ) > 0;
  }

  /** {@inheritDoc WebhookStore.replayDead} */
  async replayDead(filter: ReplayFilter, now: number): Promise<number> {
    await this.#open();
    return this.#run(
      `${REVIVE} WHERE status = 'dead' AND (? IS NULL OR endpoint = ?)
       AND created_at >= ? AND created_at < ?`,
      now,
      now,
      filter.endpoint ?? null,
      filter.endpoint ?? null,
      filter.since ?? -Number.MAX_VALUE,
      filter.until ?? Number.MAX_VALUE,
    );
  }

  /** {@inheritDoc WebhookStore.prune} */
  async prune(before: number): Promise<number> {
    await this.#open();
    return this.#run(
      "DELETE FROM webhook_messages WHERE status = 'delivered' AND updated_at < ?",
      before,
    );
  }

  /** {@inheritDoc WebhookStore.close} */
  async close(): Promise<void> {
    const database = this.#database;
    this.#database = Promise.reject(new Error("The SqliteStore is closed"));
    this.#database.catch(() => {});
    this.#handle = undefined;
    this.#statements.clear();
    if (database) (await database.catch(() => undefined))?.close();
  }

  #open(): Promise<SqliteDatabase> {
    return this.#database ??= (async () => {
      const database = this.#options.database ??
        await openSqliteFile(this.#options.path!);
      prepareSchema(database, {
        synchronous: this.#synchronous,
        busyTimeoutMs: this.#options.busyTimeoutMs ?? 5_000,
      });
      return this.#handle = database;
    })();
  }

  #insert(message: NewMessage): EnqueueResult {
    const disabled = this.#get(
      `SELECT disabled_reason FROM webhook_endpoints
       WHERE endpoint = ? AND disabled_reason IS NOT NULL`,
      message.endpoint,
    ) as { disabled_reason: string } | undefined | null;
    const status: MessageStatus = disabled ? "dead" : "pending";
    const inserted = this.#run(
      `INSERT INTO webhook_messages
       (id, url, logged_url, endpoint, body, headers, status, created_at,
        updated_at, next_attempt_at, dead_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      message.id,
      message.url,
      message.loggedUrl,
      message.endpoint,
      message.body,
      JSON.stringify(message.headers),
      status,
      message.createdAt,
      message.createdAt,
      message.createdAt,
      disabled ? disabledReason(disabled.disabled_reason) : null,
    );
    if (inserted > 0) return { id: message.id, duplicate: false, status };
    const stored = this.#get(
      "SELECT status FROM webhook_messages WHERE id = ?",
      message.id,
    ) as { status: MessageStatus };
    return { id: message.id, duplicate: true, status: stored.status };
  }

  #recordOne(result: AttemptResult): RecordOutcome {
    const { decision } = result;
    const status = decision.type === "delivered"
      ? "delivered"
      : decision.type === "dead"
      ? "dead"
      : "pending";
    const row = this.#get(
      `UPDATE webhook_messages SET
         lease_token = NULL, lease_until = 0, updated_at = ?, status = ?,
         next_attempt_at = ?, dead_reason = ?,
         claims = CASE WHEN ? THEN max(claims - 1, 0) ELSE 0 END,
         attempts = CASE WHEN ? IS NULL THEN attempts
           ELSE json_insert(attempts, '$[#]', json(?)) END,
         schedule_index = schedule_index + ?
       WHERE id = ? AND lease_token = ? AND status = 'pending'
       RETURNING endpoint`,
      result.now,
      status,
      decision.type === "retry" ? decision.at : result.now,
      decision.type === "dead" ? decision.reason : null,
      decision.type === "release" ? 1 : 0,
      result.attempt ? 1 : null,
      result.attempt ? JSON.stringify(result.attempt) : null,
      result.attempt ? 1 : 0,
      result.id,
      result.token,
    ) as { endpoint: string } | undefined | null;
    if (!row) return { recorded: false };
    const change = this.#updateBreaker(row.endpoint, result);
    return change ? { recorded: true, endpointChange: change } : {
      recorded: true,
    };
  }

  /** The endpoint's breaker after a recorded result, in the result's transaction. */
  #updateBreaker(
    endpoint: string,
    result: AttemptResult,
  ): RecordOutcome["endpointChange"] {
    if (!result.breaker || !result.health || result.health === "none") {
      return undefined;
    }
    const row = this.#get(
      `SELECT endpoint, failures, trips, paused_until FROM webhook_endpoints
       WHERE endpoint = ?`,
      endpoint,
    ) as BreakerRow | undefined | null;
    const before = row ? breakerOf(row) : CLOSED;
    const { state, change } = nextBreakerState(
      before,
      result.health,
      result.now,
      result.breaker,
    );
    if (!sameBreaker(before, state)) {
      this.#run(
        `INSERT INTO webhook_endpoints (endpoint, failures, trips, paused_until)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET failures = excluded.failures,
           trips = excluded.trips, paused_until = excluded.paused_until`,
        endpoint,
        state.failures,
        state.trips,
        state.pausedUntil,
      );
    }
    return change;
  }

  /** Runs `work` in one write transaction, taken at once so that no two processes deadlock. */
  #transaction<T>(database: SqliteDatabase, work: () => T): T {
    database.exec("BEGIN IMMEDIATE");
    try {
      const value = work();
      database.exec("COMMIT");
      return value;
    } catch (error) {
      try {
        database.exec("ROLLBACK");
      } catch {
        // SQLite rolled back already (a full disk does that): nothing to undo.
      }
      throw error;
    }
  }

  #statement(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (!this.#handle) throw new Error("The SqliteStore is not open");
      statement = this.#handle.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run(sql: string, ...params: SqliteValue[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  #get(sql: string, ...params: SqliteValue[]): unknown {
    return this.#statement(sql).get(...params);
  }

  #all(sql: string, ...params: SqliteValue[]): unknown[] {
    return this.#statement(sql).all(...params);
  }
}

interface BreakerRow {
  endpoint: string;
  failures: number;
  trips: number;
  paused_until: number;
}

function breakerOf(row: BreakerRow): BreakerState {
  return {
    failures: row.failures,
    trips: row.trips,
    pausedUntil: row.paused_until,
  };
}

const REVIVE = `UPDATE webhook_messages SET
  status = 'pending', dead_reason = NULL, updated_at = ?, next_attempt_at = ?,
  claims = 0, schedule_index = 0, lease_token = NULL, lease_until = 0`;

function toRecord(row: MessageRow, now: number): MessageRecord {
  return messageRecord({
    id: row.id,
    loggedUrl: row.logged_url,
    endpoint: row.endpoint,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    nextAttemptAt: row.next_attempt_at,
    leased: row.lease_until > now,
    deadReason: row.dead_reason,
    attempts: JSON.parse(row.attempts) as DeliveryAttempt[],
  });
}
