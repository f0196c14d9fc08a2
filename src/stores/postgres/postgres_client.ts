/**
 * A value a query takes as a parameter: text, a number, a boolean or `null`.
 *
 * @example Parameters of a query
 * ```ts
 * import type { PostgresValue } from "@omoi/webhook-delivery/postgres";
 *
 * const params: PostgresValue[] = ["task_42", 3, true, null];
 * console.log(params.length); // 4
 * ```
 */
export type PostgresValue = string | number | boolean | null;

/**
 * The rows a query gave back, each as a plain object keyed by column name.
 *
 * @example Reading a count
 * ```ts
 * import type { PostgresQueryResult } from "@omoi/webhook-delivery/postgres";
 *
 * const result: PostgresQueryResult = { rows: [{ count: "3" }] };
 * console.log(Number(result.rows[0]?.count)); // 3
 * ```
 */
export interface PostgresQueryResult {
  /** One object per row. */
  rows: readonly Record<string, unknown>[];
}

/**
 * Runs one parameterised statement (`$1`, `$2`, …). Everything a
 * {@linkcode PostgresStore} needs from a database connection; also the shape
 * of the caller's own transaction that `enqueue` can join.
 *
 * @example A queryable over node-postgres's pool, by hand
 * ```ts
 * import type { PostgresQueryable } from "@omoi/webhook-delivery/postgres";
 *
 * // `pool` stands in for `new pg.Pool(...)`.
 * const pool = { query: (_text: string, _params?: unknown[]) => Promise.resolve({ rows: [] }) };
 * const queryable: PostgresQueryable = {
 *   query: (text, params) => pool.query(text, params ? [...params] : []),
 * };
 * console.log((await queryable.query("SELECT 1")).rows.length); // 0
 * ```
 */
export interface PostgresQueryable {
  /** Runs `text` with `params` and resolves with the rows it returned. */
  query(
    text: string,
    params?: readonly PostgresValue[],
  ): Promise<PostgresQueryResult>;
}

/**
 * The user's own PostgreSQL client behind a tiny interface: queries, and
 * optionally transactions and `LISTEN`. Make one with
 * {@linkcode pgClient} (node-postgres) or {@linkcode postgresJsClient}
 * (postgres.js), or implement it over any other driver.
 *
 * @example A client whose transactions and notifications are left out
 * ```ts
 * import type { PostgresClient } from "@omoi/webhook-delivery/postgres";
 *
 * const client: PostgresClient = {
 *   query: () => Promise.resolve({ rows: [] }),
 * };
 * console.log(typeof client.transaction); // "undefined": every call is one statement then
 * ```
 */
export interface PostgresClient extends PostgresQueryable {
  /**
   * Runs `work` in one transaction on one connection: `BEGIN`, then
   * `COMMIT` when it resolves or `ROLLBACK` when it rejects. Without it,
   * the store runs the statements of a claim one after another through
   * `query`, which is only safe with a single connection used by nothing
   * else; the adapters always provide it.
   */
  transaction?<T>(work: (tx: PostgresQueryable) => Promise<T>): Promise<T>;
  /**
   * Runs `LISTEN channel` on a connection of its own and calls `onNotify`
   * for every notification; `onError` when that connection is lost. The
   * returned function stops listening. Without it, workers find messages
   * of other processes by polling.
   */
  listen?(
    channel: string,
    onNotify: () => void,
    onError: (error: unknown) => void,
  ): Promise<() => Promise<void>>;
}
