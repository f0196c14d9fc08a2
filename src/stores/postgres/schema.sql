-- @omoi/webhook-delivery: the PostgresStore schema, version 1.
-- What PostgresStore.migrate() runs, for a DBA to apply by hand; idempotent.
-- Another schema name: replace "webhook_delivery" throughout.
BEGIN;
CREATE SCHEMA IF NOT EXISTS "webhook_delivery";

CREATE TABLE IF NOT EXISTS "webhook_delivery".webhook_schema (
  version integer NOT NULL
);

CREATE TABLE IF NOT EXISTS "webhook_delivery".webhook_messages (
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
  ON "webhook_delivery".webhook_messages (next_attempt_at, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_messages_leased
  ON "webhook_delivery".webhook_messages (endpoint, lease_until)
  WHERE status = 'pending' AND lease_until > 0;
CREATE INDEX IF NOT EXISTS webhook_messages_delivered
  ON "webhook_delivery".webhook_messages (updated_at) WHERE status = 'delivered';
CREATE INDEX IF NOT EXISTS webhook_messages_by_status
  ON "webhook_delivery".webhook_messages (status, endpoint, seq);
CREATE INDEX IF NOT EXISTS webhook_messages_by_endpoint
  ON "webhook_delivery".webhook_messages (endpoint, seq);

CREATE TABLE IF NOT EXISTS "webhook_delivery".webhook_endpoints (
  endpoint text PRIMARY KEY,
  disabled_reason text,
  failures integer NOT NULL DEFAULT 0,
  trips integer NOT NULL DEFAULT 0,
  paused_until bigint NOT NULL DEFAULT 0
);

INSERT INTO "webhook_delivery".webhook_schema (version)
  SELECT 1 WHERE NOT EXISTS (SELECT FROM "webhook_delivery".webhook_schema);
COMMIT;
