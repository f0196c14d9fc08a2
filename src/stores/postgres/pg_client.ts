import type {
  PostgresClient,
  PostgresQueryable,
  PostgresQueryResult,
  PostgresValue,
} from "./postgres_client.ts";

/**
 * What {@linkcode pgClient} uses of a node-postgres `Client` or `PoolClient`.
 *
 * @example The connection of your transaction, for `enqueue`
 * ```ts ignore
 * import pg from "pg";
 * import { pgClient } from "@omoi/webhook-delivery/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const connection = await pool.connect(); // a PgConnectionLike
 * const transaction = pgClient(connection);
 * ```
 */
export interface PgConnectionLike {
  /** `client.query(text, values)`. */
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[] }>;
  /** `client.on("notification" | "error", …)`. */
  on?(event: string, listener: (...args: never[]) => void): unknown;
  /** `client.removeListener(…)`. */
  removeListener?(event: string, listener: (...args: never[]) => void): unknown;
  /** `PoolClient.release(error?)`: present on a connection taken from a pool. */
  release?(error?: Error | boolean): void;
}

/**
 * What {@linkcode pgClient} uses of a node-postgres `Pool`.
 *
 * @example A pool for a store
 * ```ts ignore
 * import pg from "pg";
 * import { pgClient, PostgresStore } from "@omoi/webhook-delivery/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL }); // a PgPoolLike
 * const store = new PostgresStore({ client: pgClient(pool) });
 * ```
 */
export interface PgPoolLike {
  /** `pool.query(text, values)`, on any idle connection. */
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[] }>;
  /** `pool.connect()`: a connection of its own, for a transaction or `LISTEN`. */
  connect(): Promise<PgConnectionLike>;
  /** `pool.on("error" | "connect", …)`: an idle connection lost, a new one opened. */
  on?(event: string, listener: (...args: never[]) => void): unknown;
}

/** Pools given an `error` listener already, so that wrapping one twice adds one. */
const watchedPools = new WeakSet<object>();

/** A connection lost: the pool drops it, and the next call opens another. */
function idleConnectionLost(): void {}

/**
 * A {@linkcode PostgresClient} over node-postgres (`pg`): give it a `Pool`
 * for a store (transactions and `LISTEN` take connections of their own),
 * or the `PoolClient`/`Client` of your open transaction to `enqueue` in it.
 * The package does not import `pg`: it only calls these methods.
 *
 * A `Pool` emits `error` when an idle connection is lost (a server
 * restart), and Node.js ends a process whose emitter has no listener for
 * it: `pgClient` adds one to the pool and to every connection the pool
 * opens afterwards, so that a restart only fails the calls in progress;
 * the store's next call opens a new connection. Add your own
 * `pool.on("error", …)` to log it.
 *
 * @example A store on a pool, and an enqueue inside the caller's transaction
 * ```ts ignore
 * import pg from "pg";
 * import { pgClient, PostgresStore } from "@omoi/webhook-delivery/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on("error", (error) => console.warn("idle connection lost:", error.message));
 * const store = new PostgresStore({ client: pgClient(pool) });
 * await store.migrate();
 * ```
 *
 * @example The adapter over anything with the pool's shape
 * ```ts
 * import { pgClient } from "@omoi/webhook-delivery/postgres";
 *
 * const client = pgClient({ query: () => Promise.resolve({ rows: [{ one: 1 }] }) });
 * console.log((await client.query("SELECT 1 AS one")).rows); // [{ one: 1 }]
 * ```
 */
export function pgClient(
  client: PgPoolLike | PgConnectionLike,
): PostgresClient {
  const query = (
    text: string,
    params?: readonly PostgresValue[],
  ): Promise<PostgresQueryResult> =>
    client.query(text, params ? [...params] : []);
  if (!("connect" in client) || typeof client.connect !== "function") {
    return connectionClient(client as PgConnectionLike);
  }
  const pool = client as PgPoolLike;
  if (typeof pool.on === "function" && !watchedPools.has(pool)) {
    watchedPools.add(pool);
    pool.on("error", idleConnectionLost);
    // And on each connection it opens from now on, for the moments the
    // pool does not listen to it (checked out, between two statements).
    pool.on(
      "connect",
      ((connection: PgConnectionLike) => {
        connection.on?.("error", idleConnectionLost);
      }) as (...args: never[]) => void,
    );
  }
  return {
    query,
    async transaction(work) {
      const connection = await pool.connect();
      let failed: Error | undefined;
      // The pool listens to a connection only while it is idle: a server
      // gone meanwhile is this transaction's failure, not the process's.
      const lost = (error: unknown) => {
        failed ??= error instanceof Error ? error : new Error(String(error));
      };
      connection.on?.("error", lost as (...args: never[]) => void);
      try {
        return await inTransaction(connection, work);
      } catch (error) {
        failed ??= error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        // A connection whose transaction failed may be broken: drop it.
        connection.release?.(failed);
        connection.removeListener?.(
          "error",
          lost as (...args: never[]) => void,
        );
      }
    },
    async listen(channel, onNotify, onError) {
      const connection = await pool.connect();
      const notified = () => onNotify();
      let lost = false;
      const errored = (error: unknown) => {
        if (lost) return;
        lost = true;
        connection.release?.(
          error instanceof Error ? error : new Error(String(error)),
        );
        onError(error);
      };
      connection.on?.("notification", notified);
      connection.on?.("error", errored as (...args: never[]) => void);
      try {
        await connection.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        errored(error);
        throw error;
      }
      return async () => {
        if (lost) return;
        lost = true;
        connection.removeListener?.("notification", notified);
        try {
          await connection.query(`UNLISTEN ${quoteIdentifier(channel)}`);
          connection.release?.();
        } catch (error) {
          connection.release?.(error instanceof Error ? error : true);
        } finally {
          connection.removeListener?.(
            "error",
            errored as (...args: never[]) => void,
          );
        }
      };
    },
  };
}

/** One connection: its statements and transactions go one at a time. */
function connectionClient(connection: PgConnectionLike): PostgresClient {
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
  };
  return {
    query: (text, params) =>
      serial(() => connection.query(text, params ? [...params] : [])),
    transaction: (work) => serial(() => inTransaction(connection, work)),
  };
}

async function inTransaction<T>(
  connection: PgConnectionLike,
  work: (tx: PostgresQueryable) => Promise<T>,
): Promise<T> {
  await connection.query("BEGIN");
  try {
    const value = await work({
      query: (text, params) =>
        connection.query(text, params ? [...params] : []),
    });
    await connection.query("COMMIT");
    return value;
  } catch (error) {
    await connection.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** A channel or schema name as a quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
