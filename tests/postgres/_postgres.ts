/**
 * The PostgreSQL the tests use: the one `WEBHOOK_PG_URL` names (as
 * `.ci/run` and `deno task postgres:start` set it), or else one started
 * here for this test process and stopped when it ends. Without the server
 * binaries this rejects with how to install them: never a silent skip.
 */
import pg from "pg";
import postgres from "postgres";
import { startPostgres } from "../../scripts/postgres/server.ts";
import {
  pgClient,
  postgresJsClient,
  PostgresStore,
  type PostgresStoreOptions,
} from "../../src/stores/postgres/mod.ts";

let url: Promise<string> | undefined;

/** The URL of the tests' server, started on first use. */
export function postgresUrl(): Promise<string> {
  return url ??= (async () => {
    const given = Deno.env.get("WEBHOOK_PG_URL");
    if (given) return given;
    const server = await startPostgres();
    globalThis.addEventListener("unload", () => server.stopSync());
    return server.url;
  })();
}

/** A schema nobody else uses, so that each test starts empty. */
export function freshSchema(): string {
  return `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** Which client a store is built on. */
export type Adapter = "pg" | "postgres.js";

/** A client of either adapter, and how to end it. */
export interface TestClient extends AsyncDisposable {
  client: PostgresStoreOptions["client"];
  /** The raw pool or `sql`, for the tests' own transactions. */
  raw: pg.Pool | postgres.Sql;
}

/** Opens a client on the tests' server. */
export async function openClient(
  adapter: Adapter,
  connectionUrl?: string,
): Promise<TestClient> {
  const target = connectionUrl ?? await postgresUrl();
  if (adapter === "pg") {
    const pool = new pg.Pool({ connectionString: target, max: 4 });
    // A lost connection (a server restart) is reported here; the store
    // reconnects on its next call.
    pool.on("error", () => {});
    return {
      client: pgClient(pool),
      raw: pool,
      [Symbol.asyncDispose]: () => pool.end(),
    };
  }
  const sql = postgres(target, { max: 4, onnotice: () => {} });
  return {
    client: postgresJsClient(sql),
    raw: sql,
    [Symbol.asyncDispose]: () => sql.end({ timeout: 0 }),
  };
}

/** A migrated store in a fresh schema whose `close()` also ends its client. */
export async function openStore(
  adapter: Adapter,
  options: Omit<PostgresStoreOptions, "client"> = {},
): Promise<PostgresStore> {
  const opened = await openClient(adapter);
  const store = new (class extends PostgresStore {
    override async close(): Promise<void> {
      await super.close();
      await opened[Symbol.asyncDispose]();
    }
  })({ client: opened.client, schema: freshSchema(), ...options });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
