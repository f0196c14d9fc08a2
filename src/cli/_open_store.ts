/**
 * Opens the queue that `--sqlite <file>` or `--postgres <url>` names, for
 * inspection and repair: a {@linkcode WebhookQueue} that is never started,
 * so it delivers nothing itself.
 *
 * @module
 */
import { silentLogger } from "../log/logger.ts";
import { WebhookQueue } from "../queue/webhook_queue.ts";
import { pgClient, type PgPoolLike } from "../stores/postgres/pg_client.ts";
import { PostgresStore } from "../stores/postgres/postgres_store.ts";
import { SqliteStore } from "../stores/sqlite/sqlite_store.ts";
import { UsageError } from "./_args.ts";
import type { NodeFs } from "./_node.ts";

/** Where the queue's store is. */
export type StoreLocation =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string; schema?: string | undefined };

/** An opened queue, and how to let go of it and its connections. */
export interface OpenedQueue {
  queue: WebhookQueue;
  close(): Promise<void>;
}

/** Where `pg` is looked for, in this order. */
export const PG_SPECIFIERS: readonly string[] = ["pg", "npm:pg@^8"];

/** The `pg` module as far as it is used here. */
export interface PgModule {
  Pool: new (options: {
    connectionString: string;
    max: number;
    connectionTimeoutMillis: number;
    query_timeout: number;
  }) =>
    & PgPoolLike
    & {
      on(event: "error", listener: () => void): unknown;
      end(): Promise<void>;
    };
}

/**
 * The `pg` package: the one the project installed (`"pg"`), else, on Deno
 * without an import map, `npm:pg@^8`. Fails with a usage error saying how
 * to install it.
 */
export async function loadPg(
  importModule: (specifier: string) => Promise<Record<string, unknown>> = (
    specifier,
  ) => import(specifier),
): Promise<PgModule> {
  for (const specifier of PG_SPECIFIERS) {
    try {
      const module = await importModule(specifier);
      const pg = (module.default ?? module) as Partial<PgModule>;
      if (typeof pg.Pool === "function") return pg as PgModule;
    } catch {
      // Try the next one.
    }
  }
  throw new UsageError(
    "--postgres needs the 'pg' package: install pg (npm install pg) next to @omoi/webhook-delivery",
  );
}

/** Opens the queue; a SQLite file must already exist. */
export async function openQueue(
  location: StoreLocation,
  fs: NodeFs,
): Promise<OpenedQueue> {
  if (location.kind === "sqlite") {
    let isFile = false;
    try {
      isFile = (await fs.stat(location.path)).isFile();
    } catch {
      // Reported below.
    }
    if (!isFile) {
      throw new UsageError(`--sqlite: no such file: ${location.path}`);
    }
    const queue = new WebhookQueue({
      store: new SqliteStore({ path: location.path }),
      logger: silentLogger,
    });
    return { queue, close: () => queue.close() };
  }
  try {
    new URL(location.url);
  } catch {
    // Not echoed: the URL may hold a password.
    throw new UsageError(
      "--postgres is not a valid URL: postgres://user:password@host:port/database",
    );
  }
  const pg = await loadPg();
  const pool = new pg.Pool({
    connectionString: location.url,
    max: 2,
    // A server that accepts connections but never answers ends the
    // command with an error instead of holding it (and its Ctrl-C) forever.
    connectionTimeoutMillis: 10_000,
    query_timeout: 30_000,
  });
  // A connection lost while idle is reported on the pool; a query reports it too.
  pool.on("error", () => {});
  const queue = new WebhookQueue({
    store: new PostgresStore({
      client: pgClient(pool),
      ...(location.schema === undefined ? {} : { schema: location.schema }),
    }),
    logger: silentLogger,
  });
  return {
    queue,
    close: async () => {
      await queue.close();
      await pool.end();
    },
  };
}
