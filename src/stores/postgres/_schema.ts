import { quoteIdentifier } from "./pg_client.ts";

/** The schema a store uses when none is named. */
export const DEFAULT_SCHEMA = "webhook_delivery";

/** The version `migrate()` brings a schema to; `schema.sql` is the same SQL. */
export const SCHEMA_VERSION = 1;

/**
 * Each migration's SQL for a schema, by the version it brings the schema
 * to. Every statement is idempotent, so a DBA can apply `schema.sql` by hand
 * and `migrate()` finds nothing left to do. Times are milliseconds since
 * the epoch, by the database's clock unless the store is told otherwise.
 */
export function migrations(schema: string): string[] {
  const s = quoteIdentifier(schema);
  return [`CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.webhook_schema (
  version integer NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.webhook_messages (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  url text NOT NULL,
  logged_url text NOT NULL,
  endpoint text NOT NULL,
  body text NOT NULL,
  headers text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  next_attempt_at bigint NOT NULL,
  lease_token text,
  lease_until bigint NOT NULL DEFAULT 0,
  claims integer NOT NULL DEFAULT 0,
  schedule_index integer NOT NULL DEFAULT 0,
  attempts jsonb NOT NULL DEFAULT '[]',
  dead_reason text
);

CREATE INDEX IF NOT EXISTS webhook_messages_due
  ON ${s}.webhook_messages (next_attempt_at, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_messages_leased
  ON ${s}.webhook_messages (endpoint, lease_until)
  WHERE status = 'pending' AND lease_until > 0;
CREATE INDEX IF NOT EXISTS webhook_messages_delivered
  ON ${s}.webhook_messages (updated_at) WHERE status = 'delivered';
CREATE INDEX IF NOT EXISTS webhook_messages_by_status
  ON ${s}.webhook_messages (status, endpoint, seq);
CREATE INDEX IF NOT EXISTS webhook_messages_by_endpoint
  ON ${s}.webhook_messages (endpoint, seq);

CREATE TABLE IF NOT EXISTS ${s}.webhook_endpoints (
  endpoint text PRIMARY KEY,
  disabled_reason text,
  failures integer NOT NULL DEFAULT 0,
  trips integer NOT NULL DEFAULT 0,
  paused_until bigint NOT NULL DEFAULT 0
);
`];
}

/** The whole schema at {@linkcode SCHEMA_VERSION}, as `schema.sql` ships it. */
export function schemaSql(schema: string = DEFAULT_SCHEMA): string {
  const s = quoteIdentifier(schema);
  return `-- @omoi/webhook-delivery: the PostgresStore schema, version ${SCHEMA_VERSION}.
-- What PostgresStore.migrate() runs, for a DBA to apply by hand; idempotent.
-- Another schema name: replace ${s} throughout.
BEGIN;
${migrations(schema).join("\n")}
INSERT INTO ${s}.webhook_schema (version)
  SELECT ${SCHEMA_VERSION} WHERE NOT EXISTS (SELECT FROM ${s}.webhook_schema);
COMMIT;
`;
}
