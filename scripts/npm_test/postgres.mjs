// PostgresStore from the installed package, on node-postgres (`pg`, pinned
// in deno.json and installed beside the tarball) and the server that
// WEBHOOK_PG_URL names: build:npm starts one for the run when it is not set.
// Every runtime of the suite runs it (pg needs nothing node:sqlite-like);
// without a URL it fails, it never skips.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import pg from "pg";
import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
import { pgClient, PostgresStore } from "@omoi/webhook-delivery/postgres";
import { require } from "./_package.mjs";
import { startReceiver } from "./_receiver.mjs";

const url = process.env.WEBHOOK_PG_URL;

const eventually = async (check) => {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, "timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/**
 * Cleanups run last registered first, in one `after` hook: a queue must
 * close (and release its LISTEN connection) before its pool can end.
 */
function cleanups(t) {
  const stack = [];
  t.after(async () => {
    while (stack.length > 0) await stack.pop()();
  });
  return (cleanup) => stack.push(cleanup);
}

/** A pool on the server and a schema of its own, both gone after the test. */
function openPool(defer) {
  assert.ok(url, "WEBHOOK_PG_URL must name a PostgreSQL server");
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => {});
  const schema = `npm_${Math.random().toString(36).slice(2, 12)}`;
  defer(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return { pool, schema };
}

describe("PostgresStore from @omoi/webhook-delivery/postgres on pg", () => {
  for (
    const [build, postgres] of [
      ["ES module build (import)", { pgClient, PostgresStore }],
      ["CommonJS build (require)", require("@omoi/webhook-delivery/postgres")],
    ]
  ) {
    it(`migrates and delivers an enqueued message: ${build}`, async (t) => {
      const defer = cleanups(t);
      const receiver = await startReceiver([204]);
      defer(() => receiver.close());
      const { pool, schema } = openPool(defer);
      const store = new postgres.PostgresStore({
        client: postgres.pgClient(pool),
        schema,
      });
      await store.migrate();
      await store.migrate(); // idempotent
      const queue = new WebhookQueue({ store, logger: silentLogger });
      defer(() => queue.close());
      queue.start();

      const { id } = await queue.enqueue(receiver.url, { n: 1 });

      await eventually(async () =>
        (await queue.get(id))?.status === "delivered"
      );
      assert.equal(receiver.requests.length, 1);
      assert.equal(receiver.requests[0].headers["webhook-id"], id);
      assert.deepEqual(JSON.parse(receiver.requests[0].body), { n: 1 });
    });
  }

  it("stores nothing from a rolled-back transaction and delivers a committed one, woken by NOTIFY", async (t) => {
    const defer = cleanups(t);
    const receiver = await startReceiver([204]);
    defer(() => receiver.close());
    const { pool, schema } = openPool(defer);
    const store = new PostgresStore({ client: pgClient(pool), schema });
    await store.migrate();
    // Polling alone would wait a minute: the worker must be woken.
    const queue = new WebhookQueue({
      store,
      logger: silentLogger,
      pollIntervalMs: 60_000,
    });
    defer(() => queue.close());
    await pool.query(`CREATE TABLE "${schema}".tasks (id int, state text)`);
    queue.start();

    const inTransaction = async (end, id) => {
      const connection = await pool.connect();
      try {
        await connection.query("BEGIN");
        await connection.query(
          `INSERT INTO "${schema}".tasks VALUES ($1, 'done')`,
          [id.length],
        );
        await queue.enqueue(receiver.url, { id }, {
          id,
          transaction: pgClient(connection),
        });
        await connection.query(end);
      } finally {
        connection.release();
      }
    };

    await inTransaction("ROLLBACK", "rolled-back");
    assert.equal(await queue.get("rolled-back"), undefined);
    assert.equal(
      (await pool.query(`SELECT count(*)::int AS n FROM "${schema}".tasks`))
        .rows[0].n,
      0,
    );

    await inTransaction("COMMIT", "committed");
    await eventually(async () =>
      (await queue.get("committed"))?.status === "delivered"
    );
    assert.deepEqual(
      receiver.requests.map((request) => request.headers["webhook-id"]),
      ["committed"],
    );
  });

  it("ships schema.sql, which a DBA can apply by hand before migrate()", async (t) => {
    const path = require.resolve("@omoi/webhook-delivery/postgres/schema.sql");
    assert.match(path, /[/\\]src[/\\]stores[/\\]postgres[/\\]schema\.sql$/);
    const sql = readFileSync(path, "utf8");
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "webhook_delivery"\./);
    const defer = cleanups(t);
    const { pool, schema } = openPool(defer);

    await pool.query(sql.replaceAll('"webhook_delivery"', `"${schema}"`));

    const store = new PostgresStore({ client: pgClient(pool), schema });
    await store.migrate();
    const { rows } = await pool.query(
      `SELECT version FROM "${schema}".webhook_schema`,
    );
    assert.deepEqual(rows, [{ version: 1 }]);
    const queue = new WebhookQueue({ store, logger: silentLogger });
    defer(() => queue.close());
    await queue.enqueue("https://example.test/hooks", {});
    assert.equal((await queue.stats()).pending, 1);
  });
});
