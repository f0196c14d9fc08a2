import type {
  PostgresClient,
  PostgresQueryable,
  PostgresValue,
} from "./postgres_client.ts";

/**
 * What {@linkcode postgresJsClient} uses of a postgres.js `sql` (or of a
 * transaction's `sql`).
 *
 * @example The `sql` of postgres.js
 * ```ts ignore
 * import postgres from "postgres";
 * import { postgresJsClient } from "@omoi/webhook-delivery/postgres";
 *
 * const sql = postgres(process.env.DATABASE_URL!); // a PostgresJsLike
 * const client = postgresJsClient(sql);
 * ```
 */
export interface PostgresJsLike {
  /** `sql.unsafe(text, params)`: resolves with the rows. */
  unsafe(
    text: string,
    params?: never[],
  ): PromiseLike<readonly Record<string, unknown>[]>;
  /** `sql.begin(async (tx) => …)`: absent on a transaction's `sql`. */
  begin?(work: (tx: unknown) => Promise<unknown>): PromiseLike<unknown>;
  /** `sql.listen(channel, onNotify)`: reconnects by itself. */
  listen?(
    channel: string,
    onNotify: (payload: string) => void,
  ): PromiseLike<{ unlisten(): PromiseLike<unknown> }>;
}

/**
 * A {@linkcode PostgresClient} over postgres.js (`postgres`): give it the
 * `sql` of `postgres(url)` for a store, or the `tx` of `sql.begin(…)` to
 * `enqueue` inside your transaction. The package does not import
 * `postgres`: it only calls these methods.
 *
 * postgres.js 3.4.9 can throw from a timer, where no caller can catch it,
 * when the server closes a connection under a pending write (a restart:
 * `Cannot read properties of null (reading 'write')`, porsager/postgres
 * issues 1154 and 1208), which ends the process. The queue's tests restart
 * PostgreSQL under workers on {@linkcode pgClient} only.
 *
 * @example A store on postgres.js
 * ```ts ignore
 * import postgres from "postgres";
 * import { postgresJsClient, PostgresStore } from "@omoi/webhook-delivery/postgres";
 *
 * const sql = postgres(process.env.DATABASE_URL);
 * const store = new PostgresStore({ client: postgresJsClient(sql) });
 * await store.migrate();
 * ```
 *
 * @example The adapter over anything with the shape of `sql`
 * ```ts
 * import { postgresJsClient } from "@omoi/webhook-delivery/postgres";
 *
 * const client = postgresJsClient({ unsafe: () => Promise.resolve([{ one: 1 }]) });
 * console.log((await client.query("SELECT 1 AS one")).rows); // [{ one: 1 }]
 * ```
 */
export function postgresJsClient(sql: PostgresJsLike): PostgresClient {
  const queryable = (target: PostgresJsLike): PostgresQueryable => ({
    async query(text: string, params?: readonly PostgresValue[]) {
      const rows = await target.unsafe(text, [...(params ?? [])] as never[]);
      return { rows };
    },
  });
  const client: PostgresClient = queryable(sql);
  const begin = sql.begin?.bind(sql);
  if (begin) {
    client.transaction = async <T>(
      work: (tx: PostgresQueryable) => Promise<T>,
    ): Promise<T> =>
      await begin((tx: unknown) => work(queryable(tx as PostgresJsLike))) as T;
  }
  const listen = sql.listen?.bind(sql);
  if (listen) {
    client.listen = async (channel, onNotify) => {
      const { unlisten } = await listen(channel, () => onNotify());
      return async () => {
        await unlisten();
      };
    };
  }
  return client;
}
