/**
 * A store for {@linkcode WebhookQueue} on PostgreSQL, through your own
 * client (node-postgres or postgres.js, neither a dependency of this
 * package), so that worker processes on many machines share one queue, and
 * so that a webhook can be enqueued in the same transaction as the change
 * that caused it.
 *
 * @example Enqueue inside your transaction (the outbox pattern)
 * ```ts ignore
 * import pg from "pg";
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 * import { pgClient, PostgresStore } from "@omoi/webhook-delivery/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = new PostgresStore({ client: pgClient(pool) });
 * await store.migrate();
 * const queue = new WebhookQueue({ store });
 *
 * const connection = await pool.connect();
 * try {
 *   await connection.query("BEGIN");
 *   await connection.query("UPDATE tasks SET state = 'done' WHERE id = $1", [42]);
 *   await queue.enqueue("https://monitoring.example/hooks", { event_type: "task.completed" }, {
 *     transaction: pgClient(connection),
 *   });
 *   await connection.query("COMMIT"); // the webhook is stored with the update, or not at all
 * } catch (error) {
 *   await connection.query("ROLLBACK");
 *   throw error;
 * } finally {
 *   connection.release();
 * }
 * ```
 *
 * @module
 */
export { PostgresStore } from "./postgres_store.ts";
export type { PostgresStoreOptions } from "./postgres_store.ts";
export { pgClient } from "./pg_client.ts";
export type { PgConnectionLike, PgPoolLike } from "./pg_client.ts";
export { postgresJsClient } from "./postgres_js_client.ts";
export type { PostgresJsLike } from "./postgres_js_client.ts";
export type {
  PostgresClient,
  PostgresQueryable,
  PostgresQueryResult,
  PostgresValue,
} from "./postgres_client.ts";
