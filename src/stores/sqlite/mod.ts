/**
 * A durable store for {@linkcode WebhookQueue}: messages in a SQLite file,
 * on `node:sqlite` (Deno ≥ 2.2, Node.js ≥ 22.5, Bun), with no dependency.
 *
 * @example
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
 * await queue.enqueue("https://monitoring.example/hooks", { event_type: "agent.stuck" });
 * ```
 *
 * @module
 */
export { SqliteStore } from "./sqlite_store.ts";
export type { SqliteStoreOptions } from "./sqlite_store.ts";
export type {
  SqliteDatabase,
  SqliteStatement,
  SqliteValue,
} from "./sqlite_database.ts";
