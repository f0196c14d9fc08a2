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
  planClaim,
} from "../../queue/_claim_plan.ts";
import { GroupCommit } from "../../queue/_group_commit.ts";
import { pageCursor, readCursor } from "../../queue/_page_cursor.ts";
import { messageRecord } from "../../queue/_message_record.ts";
import {
  endpointRecordOfRow,
  type EndpointRow,
} from "../../queue/_endpoint_record.ts";
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
import { DEFAULT_SCHEMA, migrations, SCHEMA_VERSION } from "./_schema.ts";
import {
  claimSql,
  DB_NOW,
  recordClosingSql,
  recordSql,
} from "./_statements.ts";
import { quoteIdentifier } from "./pg_client.ts";
import type { PostgresClient, PostgresQueryable } from "./postgres_client.ts";

/**
 * Where a {@linkcode PostgresStore} keeps its messages, and by which clock.
 *
 * @example A schema of its own
 * ```ts
 * import type { PostgresStoreOptions } from "@omoi/webhook-delivery/postgres";
 *
 * const client = { query: () => Promise.resolve({ rows: [] }) };
 * const options: PostgresStoreOptions = { client, schema: "webhooks" };
 * console.log(options.schema); // "webhooks"
 * ```
 */
export interface PostgresStoreOptions {
  /** Your client, through {@linkcode pgClient} or {@linkcode postgresJsClient}. */
  client: PostgresClient;
  /**
   * The schema holding the queue's tables, created by `migrate()`: letters,
   * digits and `_`, at most 60 characters.
   *
   * @default {"webhook_delivery"}
   */
  schema?: string | undefined;
  /**
   * Whose clock due times and leases follow. `"database"`: PostgreSQL's
   * `now()`, so workers on machines whose clocks disagree still agree; the
   * `now` the queue passes is then only used to express the store's
   * answers (`nextDueAt`, a pause's end) on the caller's clock.
   * `"caller"`: the `now` of each call, as the other stores do (the store
   * contract's tests use it to move time by hand).
   *
   * @default {"database"}
   */
  clock?: "database" | "caller" | undefined;
}

interface MessageRow {
  seq: string;
  id: string;
  logged_url: string;
  endpoint: string;
  status: MessageStatus;
  created_at: string;
  updated_at: string;
  next_attempt_at: string;
  in_flight: boolean;
  attempts: string;
  dead_reason: string | null;
}

interface BreakerRow {
  endpoint: string;
  failures: number;
  trips: number;
  paused_until: string;
}

/**
 * A {@linkcode WebhookStore} on PostgreSQL, through the client you already
 * use (node-postgres or postgres.js, or anything with a `query`), so that
 * worker processes on many machines share one queue. Claims take due
 * messages with `FOR UPDATE SKIP LOCKED` and lease them with a token; the
 * per-endpoint limit counts live leases of every process, and the circuit
 * breaker's state is a row per endpoint. `enqueue` notifies workers with
 * `NOTIFY`, and a store whose client can `LISTEN` wakes its worker at
 * once; polling stays as the fallback. `enqueue` can join your own
 * transaction (the outbox pattern): the message is stored if and only if
 * that transaction commits.
 *
 * Durability: `enqueue` commits as the server is configured (by default
 * waiting for the WAL to reach the disk), so a confirmed enqueue survives a
 * server crash or a power cut. Claims and recorded results commit with
 * `SET LOCAL synchronous_commit = off`, as `SqliteStore` writes them with
 * `synchronous = NORMAL`: a crash of the server or of the machine can lose
 * only the last claims and results (by default under a second of them),
 * which makes an attempt happen again (delivery is at least once); it never
 * loses an enqueued message. The next durable commit flushes them too.
 *
 * Call {@linkcode PostgresStore.migrate} once before use (or apply
 * `schema.sql`). `close()` does not end your client.
 *
 * @example A store on node-postgres
 * ```ts ignore
 * import pg from "pg";
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 * import { pgClient, PostgresStore } from "@omoi/webhook-delivery/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = new PostgresStore({ client: pgClient(pool) });
 * await store.migrate();
 * await using queue = new WebhookQueue({ store });
 * queue.start();
 * ```
 *
 * @example Options are checked when it is built
 * ```ts
 * import { PostgresStore } from "@omoi/webhook-delivery/postgres";
 *
 * const client = { query: () => Promise.resolve({ rows: [] }) };
 * try {
 *   new PostgresStore({ client, schema: "no spaces please" });
 * } catch (error) {
 *   console.log((error as Error).name); // "TypeError"
 * }
 * ```
 */
export class PostgresStore implements WebhookStore {
  readonly #client: PostgresClient;
  readonly #schema: string;
  readonly #callerClock: boolean;
  readonly #m: string;
  readonly #e: string;
  readonly #channel: string;
  readonly #unsubscribes = new Set<() => Promise<void>>();
  readonly #records: GroupCommit<AttemptResult, RecordOutcome>;
  /** Writes a round of results, each message at most once, by `ord`. */
  readonly #recordSql: string;
  /** The same, and the breakers of successes closed. */
  readonly #recordClosingSql: string;
  /** A claim's first statement: its time, the abandoned, the candidates, locked. */
  readonly #claimSql: string;

  /**
   * Connects nothing: every call runs through `client`.
   *
   * @throws {TypeError} When `client` has no `query` function, or `schema` is not a plain name.
   */
  constructor(options: PostgresStoreOptions) {
    if (typeof options?.client?.query !== "function") {
      throw new TypeError(
        "PostgresStore needs a 'client' with a query function: wrap yours with pgClient() or postgresJsClient()",
      );
    }
    const schema = options.schema ?? DEFAULT_SCHEMA;
    if (
      typeof schema !== "string" ||
      !/^[A-Za-z_][A-Za-z0-9_]{0,59}$/.test(schema)
    ) {
      throw new TypeError(
        `PostgresStore's 'schema' must be letters, digits and '_', at most 60 characters: current value is ${
          JSON.stringify(String(schema))
        }`,
      );
    }
    const clock = options.clock ?? "database";
    if (clock !== "database" && clock !== "caller") {
      throw new TypeError(
        `PostgresStore's 'clock' must be "database" or "caller": current value is ${
          JSON.stringify(String(clock))
        }`,
      );
    }
    this.#client = options.client;
    this.#schema = schema;
    this.#callerClock = clock === "caller";
    this.#m = `${quoteIdentifier(schema)}.webhook_messages`;
    this.#e = `${quoteIdentifier(schema)}.webhook_endpoints`;
    this.#channel = `wh_${schema}`;
    this.#records = new GroupCommit((results) => this.#recordBatch(results));
    this.#recordSql = recordSql(this.#m);
    this.#recordClosingSql = recordClosingSql(this.#recordSql, this.#e);
    this.#claimSql = claimSql(this.#m);
  }

  /**
   * Creates the schema, or brings it to this release's version; safe to run
   * from several processes at once and again at every start. Rejects when
   * the schema is newer than this release knows.
   */
  migrate(): Promise<void> {
    const versionTable = `${quoteIdentifier(this.#schema)}.webhook_schema`;
    return this.#transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        `@omoi/webhook-delivery migrate ${this.#schema}`,
      ]);
      const [exists] = (await tx.query("SELECT to_regclass($1) AS t", [
        versionTable,
      ])).rows;
      const version = exists?.t === null || exists?.t === undefined
        ? 0
        : Number(
          (await tx.query(`SELECT max(version) AS v FROM ${versionTable}`))
            .rows[0]?.v ?? 0,
        );
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `The database's schema ${this.#schema} is version ${version}, newer than this release knows (${SCHEMA_VERSION}): upgrade @omoi/webhook-delivery`,
        );
      }
      const steps = migrations(this.#schema);
      for (let next = version; next < SCHEMA_VERSION; next++) {
        for (const statement of steps[next]!.split(/;\s*\n/)) {
          if (statement.trim()) await tx.query(statement);
        }
      }
      if (version < SCHEMA_VERSION) {
        await tx.query(`DELETE FROM ${versionTable}`);
        await tx.query(`INSERT INTO ${versionTable} (version) VALUES ($1)`, [
          SCHEMA_VERSION,
        ]);
      }
    });
  }

  /**
   * {@inheritDoc WebhookStore.enqueue}
   *
   * With `transaction` (your client inside `BEGIN`, wrapped like the
   * store's), the messages are written on it: stored if and only if it
   * commits, and workers are notified at the commit.
   */
  async enqueue(
    messages: readonly NewMessage[],
    options: StoreEnqueueOptions = {},
  ): Promise<EnqueueResult[]> {
    if (messages.length === 0) return [];
    const target = options.transaction === undefined
      ? this.#client
      : asQueryable(options.transaction);
    const input = JSON.stringify(messages.map((message, ord) => ({
      ord,
      id: message.id,
      url: message.url,
      logged_url: message.loggedUrl,
      endpoint: message.endpoint,
      body: message.body,
      headers: JSON.stringify(message.headers),
      created_at: message.createdAt,
    })));
    const { rows } = await target.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS t(
           ord int, id text, url text, logged_url text, endpoint text,
           body text, headers text, created_at bigint)
       ), inserted AS (
         INSERT INTO ${this.#m} (id, url, logged_url, endpoint, body, headers,
           status, created_at, updated_at, next_attempt_at, dead_reason)
         SELECT i.id, i.url, i.logged_url, i.endpoint, i.body, i.headers,
           CASE WHEN e.disabled_reason IS NULL THEN 'pending' ELSE 'dead' END,
           i.created_at,
           CASE WHEN $2::boolean THEN i.created_at ELSE ${DB_NOW} END,
           CASE WHEN $2::boolean THEN i.created_at ELSE ${DB_NOW} END,
           CASE WHEN e.disabled_reason IS NULL THEN NULL
             ELSE $4::text || e.disabled_reason END
         FROM input i LEFT JOIN ${this.#e} e
           ON e.endpoint = i.endpoint AND e.disabled_reason IS NOT NULL
         ORDER BY i.ord
         ON CONFLICT (id) DO NOTHING
         RETURNING id, status
       ), woken AS (
         SELECT pg_notify($3::text, '')
         FROM (SELECT FROM inserted WHERE status = 'pending' LIMIT 1) AS any_pending
       )
       SELECT i.id, inserted.status AS inserted_status,
         stored.status AS stored_status, (SELECT count(*) FROM woken) AS woken
       FROM input i
       LEFT JOIN inserted ON inserted.id = i.id
       LEFT JOIN ${this.#m} stored ON stored.id = i.id
       ORDER BY i.ord`,
      [input, this.#callerClock, this.#channel, disabledReason("")],
    );
    return rows.map((row) => {
      const inserted = row.inserted_status as MessageStatus | null;
      return {
        id: row.id as string,
        duplicate: inserted === null,
        status: inserted ??
          (row.stored_status as MessageStatus | null) ?? "pending",
      };
    });
  }

  /** {@inheritDoc WebhookStore.claim} */
  claim(options: ClaimOptions): Promise<ClaimResult> {
    return this.#transaction(async (tx) => {
      const [first] = (await tx.query(this.#claimSql, [
        this.#clock(options.now),
        abandonedReason(options.maxClaimsWithoutResult),
        options.maxClaimsWithoutResult,
        Math.max(options.limit * 16, 256),
        `${this.#channel}/`,
      ])).rows;
      const now = Number(first!.now);
      const abandoned = JSON.parse(first!.abandoned as string) as string[];
      const candidates = JSON.parse(
        first!.candidates as string,
      ) as ClaimCandidate[];
      const leased = new Map<string, number>();
      const endpointLimits = new Map(options.endpointLimits);
      let resumeAt: number | undefined;
      if (candidates.length > 0 || options.breaker) {
        // A statement of its own, after the advisory locks: it sees the
        // leases that claims holding them meanwhile committed.
        const endpoints = [...new Set(candidates.map((c) => c.endpoint))];
        for (
          const row of (await tx.query(
            `SELECT endpoint, count(*) AS held, NULL::int AS failures,
               NULL::int AS trips, NULL::bigint AS paused_until
             FROM ${this.#m}
             WHERE status = 'pending' AND lease_until > $1
               AND endpoint IN (SELECT jsonb_array_elements_text($2::text::jsonb))
             GROUP BY endpoint
             UNION ALL
             SELECT endpoint, NULL, failures, trips, paused_until FROM ${this.#e}
             WHERE $3::boolean AND trips > 0`,
            [now, JSON.stringify(endpoints), options.breaker !== undefined],
          )).rows
        ) {
          if (row.held !== null) {
            leased.set(row.endpoint as string, Number(row.held));
            continue;
          }
          const state = breakerOf(row as unknown as BreakerRow);
          const endpoint = row.endpoint as string;
          mergeLimit(endpointLimits, endpoint, breakerLimit(state, now));
          if (state.pausedUntil > now) {
            resumeAt = Math.min(resumeAt ?? Infinity, state.pausedUntil);
          }
        }
      }
      const chosen = planClaim(candidates, leased, {
        ...options,
        endpointLimits,
      });
      const leases = chosen.map(({ id }) => ({ id, token: newToken() }));
      const byId = new Map<string, ClaimedMessage>();
      if (leases.length > 0) {
        for (
          const row of (await tx.query(
            `UPDATE ${this.#m} AS m
             SET lease_token = l.token, lease_until = $2, claims = m.claims + 1
             FROM jsonb_to_recordset($1::text::jsonb) AS l(id text, token text)
             WHERE m.id = l.id
             RETURNING m.id, m.url, m.logged_url, m.endpoint, m.body, m.headers,
               m.lease_token, m.schedule_index,
               jsonb_array_length(m.attempts) AS attempt_count`,
            [JSON.stringify(leases), now + options.leaseMs],
          )).rows
        ) {
          byId.set(row.id as string, {
            id: row.id as string,
            url: row.url as string,
            loggedUrl: row.logged_url as string,
            endpoint: row.endpoint as string,
            body: row.body as string,
            headers: JSON.parse(row.headers as string),
            token: row.lease_token as string,
            attempts: Number(row.attempt_count),
            scheduleIndex: Number(row.schedule_index),
          });
        }
      }
      const messages = leases.flatMap(({ id }) => byId.get(id) ?? []);
      let dueAt = candidates.length > chosen.length
        ? now
        : first!.next_at === null || first!.next_at === undefined
        ? undefined
        : Number(first!.next_at);
      if (resumeAt !== undefined) dueAt = Math.min(dueAt ?? Infinity, resumeAt);
      return {
        messages,
        abandoned,
        nextDueAt: dueAt === undefined ? undefined : options.now + dueAt - now,
      };
    });
  }

  /** {@inheritDoc WebhookStore.record} */
  async record(results: readonly AttemptResult[]): Promise<RecordOutcome[]> {
    if (results.length === 0) return [];
    // One result per call is how workers record: concurrent ones share a
    // transaction (one commit) through the group commit.
    if (results.length === 1) return [await this.#records.push(results[0]!)];
    return await this.#recordBatch(results);
  }

  /**
   * Records `results` in one transaction, as if one after another: the
   * messages in one statement (a result whose lease no longer holds changes
   * nothing), then the breakers of their endpoints, each locked once.
   */
  async #recordBatch(
    results: readonly AttemptResult[],
  ): Promise<RecordOutcome[]> {
    const items = results.map((result, ord) => ({ result, ord }));
    if (new Set(results.map(({ id }) => id)).size === results.length) {
      // One statement, which is a transaction of its own: no BEGIN and
      // COMMIT round trips, no connection held between them.
      if (!results.some(changesBreaker)) {
        const recordedAt = await this.#writeResults(this.#client, items);
        return results.map((_, ord) => ({ recorded: recordedAt.has(ord) }));
      }
      // Successes only close breakers, in any order: also one statement.
      if (
        results.every((result) =>
          !changesBreaker(result) || result.health === "success"
        )
      ) return await this.#recordClosing(items);
    }
    return await this.#transaction(async (tx) => {
      // The time each recorded result was written at, by its position.
      const recordedAt = new Map<number, { endpoint: string; now: number }>();
      let pending = items;
      while (pending.length > 0) {
        // Results for one message apply in order: the first in this round,
        // a later one in the next, where it sees the first's change.
        const seen = new Set<string>();
        const round = pending.filter(({ result }) =>
          !seen.has(result.id) && seen.add(result.id)
        );
        const taken = new Set(round);
        pending = pending.filter((item) => !taken.has(item));
        for (const [ord, at] of await this.#writeResults(tx, round)) {
          recordedAt.set(ord, at);
        }
      }
      const outcomes = results.map((_, ord): RecordOutcome => ({
        recorded: recordedAt.has(ord),
      }));
      const breakerWork = results.flatMap((result, ord) => {
        const at = recordedAt.get(ord);
        const { health, breaker } = result;
        return at && breaker && health && changesBreaker(result)
          ? [{ ord, result, health, breaker, ...at }]
          : [];
      });
      if (breakerWork.length === 0) return outcomes;
      const endpoints = [...new Set(breakerWork.map((w) => w.endpoint))].sort();
      const failing = endpoints.filter((endpoint) =>
        breakerWork.some((w) =>
          w.endpoint === endpoint && w.health === "failure"
        )
      );
      if (failing.length > 0) {
        await tx.query(
          `INSERT INTO ${this.#e} (endpoint)
           SELECT e FROM jsonb_array_elements_text($1::text::jsonb) AS e
           ORDER BY e
           ON CONFLICT DO NOTHING`,
          [JSON.stringify(failing)],
        );
      }
      // Locked in one order, so two batches never wait for each other in a circle.
      const before = new Map<string, BreakerState>();
      for (
        const row of (await tx.query(
          `SELECT endpoint, failures, trips, paused_until FROM ${this.#e}
           WHERE endpoint IN (SELECT jsonb_array_elements_text($1::text::jsonb))
           ORDER BY endpoint FOR UPDATE`,
          [JSON.stringify(endpoints)],
        )).rows as unknown as BreakerRow[]
      ) before.set(row.endpoint, breakerOf(row));
      const after = new Map(before);
      for (const work of breakerWork) {
        const { state, change } = nextBreakerState(
          after.get(work.endpoint) ?? CLOSED,
          work.health,
          work.now,
          work.breaker,
        );
        after.set(work.endpoint, state);
        if (change) {
          outcomes[work.ord] = {
            recorded: true,
            endpointChange: change.type === "paused"
              ? { ...change, until: work.result.now + change.until - work.now }
              : change,
          };
        }
      }
      const changed = [...after].filter(([endpoint, state]) =>
        !sameBreaker(before.get(endpoint) ?? CLOSED, state)
      ).map(([endpoint, state]) => ({
        endpoint,
        failures: state.failures,
        trips: state.trips,
        paused_until: state.pausedUntil,
      }));
      if (changed.length > 0) {
        await tx.query(
          `UPDATE ${this.#e} AS e
           SET failures = c.failures, trips = c.trips, paused_until = c.paused_until
           FROM jsonb_to_recordset($1::text::jsonb)
             AS c(endpoint text, failures int, trips int, paused_until bigint)
           WHERE e.endpoint = c.endpoint`,
          [JSON.stringify(changed)],
        );
      }
      return outcomes;
    });
  }

  /**
   * Writes results of distinct messages, whose breaker work is only to close
   * (successes), in one statement: the first recorded success of an endpoint
   * that had tripped reports it resumed, as one after another would.
   */
  async #recordClosing(
    items: readonly { result: AttemptResult; ord: number }[],
  ): Promise<RecordOutcome[]> {
    const input = items.map(({ result, ord }) =>
      recordInput(result, ord, this.#clock(result.now))
    );
    const outcomes = items.map((): RecordOutcome => ({ recorded: false }));
    const resumed = new Map<string, number>();
    for (
      const row of (await this.#client.query(this.#recordClosingSql, [
        JSON.stringify(input),
      ])).rows
    ) {
      const ord = Number(row.ord);
      outcomes[ord] = { recorded: true };
      if (row.closes === true && Number(row.trips ?? 0) > 0) {
        const endpoint = row.endpoint as string;
        resumed.set(endpoint, Math.min(resumed.get(endpoint) ?? ord, ord));
      }
    }
    for (const ord of resumed.values()) {
      outcomes[ord] = { recorded: true, endpointChange: { type: "resumed" } };
    }
    return outcomes;
  }

  /**
   * Writes results of distinct messages in one statement; the position and
   * endpoint of each one recorded (its lease held), and the time written.
   */
  async #writeResults(
    target: PostgresQueryable,
    items: readonly { result: AttemptResult; ord: number }[],
  ): Promise<Map<number, { endpoint: string; now: number }>> {
    const input = items.map(({ result, ord }) =>
      recordInput(result, ord, this.#clock(result.now))
    );
    const recordedAt = new Map<number, { endpoint: string; now: number }>();
    for (
      const row of (await target.query(this.#recordSql, [
        JSON.stringify(input),
      ])).rows
    ) {
      recordedAt.set(Number(row.ord), {
        endpoint: row.endpoint as string,
        now: Number(row.now),
      });
    }
    return recordedAt;
  }

  /** {@inheritDoc WebhookStore.disableEndpoint} */
  async disableEndpoint(
    endpoint: string,
    reason: string,
    now: number,
  ): Promise<number> {
    const { rows } = await this.#client.query(
      `WITH disabled AS (
         INSERT INTO ${this.#e} (endpoint, disabled_reason) VALUES ($1, $2)
         ON CONFLICT (endpoint) DO UPDATE SET disabled_reason = excluded.disabled_reason
       ), killed AS (
         UPDATE ${this.#m} SET status = 'dead', dead_reason = $3,
           updated_at = COALESCE($4::bigint, ${DB_NOW}),
           lease_token = NULL, lease_until = 0
         WHERE endpoint = $1 AND status = 'pending'
         RETURNING 1
       )
       SELECT count(*) AS n FROM killed`,
      [endpoint, reason, disabledReason(reason), this.#clock(now)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** {@inheritDoc WebhookStore.enableEndpoint} */
  async enableEndpoint(endpoint: string): Promise<boolean> {
    const { rows } = await this.#client.query(
      `UPDATE ${this.#e} SET disabled_reason = NULL
       WHERE endpoint = $1 AND disabled_reason IS NOT NULL
       RETURNING endpoint`,
      [endpoint],
    );
    return rows.length > 0;
  }

  /** {@inheritDoc WebhookStore.get} */
  async get(id: string): Promise<MessageRecord | undefined> {
    const { rows } = await this.#client.query(
      `${this.#selectRecords(", body")} WHERE id = $2`,
      [this.#clock(Date.now()), id],
    );
    const row = rows[0] as unknown as
      | (MessageRow & { body: string })
      | undefined;
    return row ? { ...toRecord(row), body: row.body } : undefined;
  }

  /** {@inheritDoc WebhookStore.list} */
  async list(options: ListOptions = {}): Promise<MessagePage> {
    const after = readCursor(options.cursor);
    const limit = options.limit ?? 100;
    const { rows } = await this.#client.query(
      `${this.#selectRecords()}
       WHERE seq > $2 AND ($3::text IS NULL OR status = $3)
         AND ($4::text IS NULL OR endpoint = $4)
       ORDER BY seq LIMIT $5`,
      [
        this.#clock(Date.now()),
        after,
        options.status ?? null,
        options.endpoint ?? null,
        limit + 1,
      ],
    );
    const page = (rows as unknown as MessageRow[]).slice(0, limit);
    return {
      messages: page.map(toRecord),
      ...(rows.length > limit
        ? { cursor: pageCursor(Number(page.at(-1)!.seq)) }
        : {}),
    };
  }

  /** {@inheritDoc WebhookStore.stats} */
  async stats(now: number): Promise<StoreStats> {
    const stats: StoreStats = {
      pending: 0,
      delivered: 0,
      dead: 0,
      inFlight: 0,
      disabledEndpoints: [],
    };
    const { rows } = await this.#client.query(
      `SELECT status, count(*) AS n,
         count(*) FILTER (WHERE lease_until > COALESCE($1::bigint, ${DB_NOW})) AS leased
       FROM ${this.#m} GROUP BY status`,
      [this.#clock(now)],
    );
    for (const row of rows) {
      stats[row.status as MessageStatus] = Number(row.n);
      if (row.status === "pending") stats.inFlight = Number(row.leased);
    }
    stats.disabledEndpoints = (await this.#client.query(
      `SELECT endpoint, disabled_reason FROM ${this.#e}
       WHERE disabled_reason IS NOT NULL ORDER BY endpoint`,
    )).rows.map((row) => ({
      endpoint: row.endpoint as string,
      reason: row.disabled_reason as string,
    }));
    return stats;
  }

  /** {@inheritDoc WebhookStore.endpoints} */
  async endpoints(now: number): Promise<EndpointRecord[]> {
    const { rows } = await this.#client.query(
      `WITH counts AS (
         SELECT endpoint, count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'delivered') AS delivered, count(*) FILTER (WHERE status = 'dead') AS dead
         FROM ${this.#m} GROUP BY endpoint
       )
       SELECT k.endpoint AS endpoint, COALESCE(c.pending, 0) AS pending,
         COALESCE(c.delivered, 0) AS delivered, COALESCE(c.dead, 0) AS dead,
         e.disabled_reason AS disabled_reason, COALESCE(e.failures, 0) AS failures,
         COALESCE(e.trips, 0) AS trips, COALESCE(e.paused_until, 0) AS paused_until,
         COALESCE($1::bigint, ${DB_NOW}) AS at
       FROM (SELECT endpoint FROM counts UNION SELECT endpoint FROM ${this.#e}) AS k
       LEFT JOIN counts AS c ON c.endpoint = k.endpoint
       LEFT JOIN ${this.#e} AS e ON e.endpoint = k.endpoint
       WHERE c.endpoint IS NOT NULL OR e.disabled_reason IS NOT NULL
         OR e.failures > 0 OR e.trips > 0
       ORDER BY k.endpoint COLLATE "C"`,
      [this.#clock(now)],
    );
    return (rows as unknown as (EndpointRow & { at: string })[]).map((row) =>
      endpointRecordOfRow(row, Number(row.at))
    );
  }

  /** {@inheritDoc WebhookStore.replay} */
  async replay(id: string, now: number): Promise<boolean> {
    const { rows } = await this.#client.query(
      `${this.#revive()} WHERE id = $2 AND status != 'pending' RETURNING id`,
      [this.#clock(now), id, this.#channel],
    );
    return rows.length > 0;
  }

  /** {@inheritDoc WebhookStore.replayDead} */
  async replayDead(filter: ReplayFilter, now: number): Promise<number> {
    const { rows } = await this.#client.query(
      `WITH revived AS (
         ${this.#revive()}
         WHERE status = 'dead' AND ($2::text IS NULL OR endpoint = $2)
           AND ($4::bigint IS NULL OR created_at >= $4)
           AND ($5::bigint IS NULL OR created_at < $5)
         RETURNING 1)
       SELECT count(*) AS n FROM revived`,
      [
        this.#clock(now),
        filter.endpoint ?? null,
        this.#channel,
        filter.since ?? null,
        filter.until ?? null,
      ],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** {@inheritDoc WebhookStore.prune} */
  async prune(before: number): Promise<number> {
    // By the database's clock, the cut-off is as far before its now as
    // `before` is before this process's.
    const { rows } = await this.#client.query(
      `WITH pruned AS (
         DELETE FROM ${this.#m}
         WHERE status = 'delivered'
           AND updated_at < COALESCE($1::bigint, ${DB_NOW} - $2::bigint)
         RETURNING 1)
       SELECT count(*) AS n FROM pruned`,
      [this.#clock(before), Date.now() - before],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Calls `onWake` whenever a message is enqueued (or replayed) for any
   * process, through `LISTEN`, when the client can listen; a lost
   * connection is listened on again a second later. Returns the function
   * that stops it.
   */
  subscribe(onWake: () => void): () => Promise<void> {
    const client = this.#client;
    const listen = client.listen?.bind(client);
    if (!listen) return () => Promise.resolve();
    let stopped = false;
    let stop: (() => Promise<void>) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let starting: Promise<void> = Promise.resolve();
    const retry = () => {
      stop = undefined;
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(connect, 1_000);
    };
    const connect = () => {
      timer = undefined;
      starting = listen(this.#channel, onWake, retry).then(
        async (unlisten) => {
          if (stopped) return await unlisten();
          stop = unlisten;
          // What was enqueued while nobody listened.
          onWake();
        },
        retry,
      );
    };
    connect();
    const unsubscribe = async () => {
      stopped = true;
      this.#unsubscribes.delete(unsubscribe);
      clearTimeout(timer);
      await starting;
      await stop?.().catch(() => {});
    };
    this.#unsubscribes.add(unsubscribe);
    return unsubscribe;
  }

  /** Stops listening; your client stays open: end it yourself. */
  async close(): Promise<void> {
    await Promise.all([...this.#unsubscribes].map((stop) => stop()));
  }

  /** `$1` of statements that take a time: the caller's, or `NULL` for the database's. */
  #clock(now: number): number | null {
    return this.#callerClock ? now : null;
  }

  #selectRecords(extra = ""): string {
    return `SELECT seq, id, logged_url, endpoint, status, created_at, updated_at,
      next_attempt_at, dead_reason, attempts::text AS attempts${extra},
      (status = 'pending' AND lease_until > COALESCE($1::bigint, ${DB_NOW})) AS in_flight
      FROM ${this.#m}`;
  }

  #revive(): string {
    return `UPDATE ${this.#m} SET
      status = 'pending', dead_reason = NULL,
      updated_at = COALESCE($1::bigint, ${DB_NOW}),
      next_attempt_at = COALESCE($1::bigint, ${DB_NOW}),
      claims = 0, schedule_index = 0, lease_token = NULL, lease_until = 0,
      -- Notifies the workers once, when a row is revived; changes nothing.
      attempts = attempts || (SELECT '[]'::jsonb FROM pg_notify($3::text, ''))`;
  }

  async #transaction<T>(
    work: (tx: PostgresQueryable) => Promise<T>,
  ): Promise<T> {
    const client = this.#client;
    if (client.transaction) return await client.transaction(work);
    await client.query("BEGIN");
    try {
      const value = await work(client);
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }
}

function asQueryable(transaction: unknown): PostgresQueryable {
  if (
    typeof transaction !== "object" || transaction === null ||
    typeof (transaction as PostgresQueryable).query !== "function"
  ) {
    throw new TypeError(
      "The transaction must be a client with a query function: wrap yours with pgClient() or postgresJsClient()",
    );
  }
  return transaction as PostgresQueryable;
}

/** Whether recording `result` updates its endpoint's circuit breaker. */
function changesBreaker(result: AttemptResult): boolean {
  return result.breaker !== undefined && result.health !== undefined &&
    result.health !== "none";
}

/** A result as a row of the record statement's input. */
function recordInput(
  result: AttemptResult,
  ord: number,
  now: number | null,
): Record<string, unknown> {
  const { decision } = result;
  return {
    ord,
    id: result.id,
    token: result.token,
    now,
    status: decision.type === "delivered"
      ? "delivered"
      : decision.type === "dead"
      ? "dead"
      : "pending",
    // Relative to the result's `now`, so a retry keeps its delay by either clock.
    delay_ms: decision.type === "retry"
      ? Math.max(0, decision.at - result.now)
      : 0,
    dead_reason: decision.type === "dead" ? decision.reason : null,
    released: decision.type === "release",
    // Absent, not `null`: a missing key is SQL NULL, JSON null is not.
    ...(result.attempt ? { attempt: result.attempt } : {}),
    closes: changesBreaker(result) && result.health === "success",
  };
}

function breakerOf(row: BreakerRow): BreakerState {
  return {
    failures: Number(row.failures),
    trips: Number(row.trips),
    pausedUntil: Number(row.paused_until),
  };
}

function toRecord(row: MessageRow): MessageRecord {
  return messageRecord({
    id: row.id,
    loggedUrl: row.logged_url,
    endpoint: row.endpoint,
    status: row.status,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    nextAttemptAt: Number(row.next_attempt_at),
    leased: row.in_flight,
    deadReason: row.dead_reason,
    attempts: JSON.parse(row.attempts) as DeliveryAttempt[],
  });
}
