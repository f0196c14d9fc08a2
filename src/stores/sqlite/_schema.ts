import type { SqliteDatabase } from "./sqlite_database.ts";

/** The schema this release writes; a later one migrates from it. */
export const SCHEMA_VERSION = 2;

/** Version 1, as the first release created it; a new file goes through every migration. */
export const SCHEMA_V1 = `
CREATE TABLE webhook_messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  logged_url TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  body TEXT NOT NULL,
  headers TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  claims INTEGER NOT NULL DEFAULT 0,
  schedule_index INTEGER NOT NULL DEFAULT 0,
  attempts TEXT NOT NULL DEFAULT '[]',
  dead_reason TEXT
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at, seq)
  WHERE status = 'pending';
CREATE INDEX webhook_messages_leased ON webhook_messages (lease_until)
  WHERE status = 'pending' AND lease_until > 0;
CREATE INDEX webhook_messages_delivered ON webhook_messages (updated_at)
  WHERE status = 'delivered';
CREATE INDEX webhook_messages_by_status ON webhook_messages (status, endpoint, seq);
CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint, seq);
CREATE TABLE webhook_endpoints (
  endpoint TEXT PRIMARY KEY,
  disabled_reason TEXT NOT NULL
);
`;

/**
 * Version 2: the circuit breaker's state moves into the store, so that every
 * process sharing the file sees an endpoint paused; an endpoint's row may
 * now hold breaker state without being disabled. SQLite cannot drop a
 * `NOT NULL`, so the table is rebuilt.
 */
const MIGRATE_V1_TO_V2 = `
CREATE TABLE webhook_endpoints_v2 (
  endpoint TEXT PRIMARY KEY,
  disabled_reason TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  trips INTEGER NOT NULL DEFAULT 0,
  paused_until INTEGER NOT NULL DEFAULT 0
);
INSERT INTO webhook_endpoints_v2 (endpoint, disabled_reason)
  SELECT endpoint, disabled_reason FROM webhook_endpoints;
DROP TABLE webhook_endpoints;
ALTER TABLE webhook_endpoints_v2 RENAME TO webhook_endpoints;
`;

/**
 * Sets the connection up (WAL, the chosen durability, a busy timeout for
 * other processes on the file) and creates or checks the schema.
 * `PRAGMA user_version` holds the schema's version.
 */
export function prepareSchema(
  database: SqliteDatabase,
  options: { synchronous: "FULL" | "NORMAL"; busyTimeoutMs: number },
): void {
  database.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
  database.exec("PRAGMA journal_mode = WAL");
  database.exec(`PRAGMA synchronous = ${options.synchronous}`);
  database.exec("BEGIN IMMEDIATE");
  try {
    const { user_version: version } = database.prepare("PRAGMA user_version")
      .get() as { user_version: number };
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `The database's schema is version ${version}, newer than this release knows (${SCHEMA_VERSION}): upgrade @omoi/webhook-delivery`,
      );
    }
    if (version < 1) database.exec(SCHEMA_V1);
    if (version < 2) database.exec(MIGRATE_V1_TO_V2);
    if (version < SCHEMA_VERSION) {
      database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    }
    database.exec("COMMIT");
  } catch (error) {
    database.exec("ROLLBACK");
    throw error;
  }
}
