/**
 * Which of PostgresStore's commits wait for the WAL flush: claims and
 * recorded results do not (`synchronous_commit = off`, for their own
 * transaction only), an enqueue does, as the server is configured.
 */
import assert from "node:assert/strict";
import type pg from "pg";
import {
  pgClient,
  type PostgresClient,
  PostgresStore,
} from "../../src/stores/postgres/mod.ts";
import { freshSchema, openClient } from "./_postgres.ts";

const T0 = Date.UTC(2026, 0, 1);

Deno.test("PostgresStore: claims and results commit without waiting for the WAL flush; an enqueue waits", async () => {
  await using opened = await openClient("pg");
  const inner = opened.client;
  // The setting each of the store's transactions commits with.
  const settings: string[] = [];
  const pool = opened.raw as pg.Pool;
  // The setting each statement sent alone commits with: run here in a
  // transaction of its own, read before its commit.
  const alone: string[] = [];
  const client: PostgresClient = {
    query: async (text, params) => {
      const connection = await pool.connect();
      try {
        await connection.query("BEGIN");
        const result = await connection.query(text, params ? [...params] : []);
        const [row] = (await connection.query(
          "SELECT current_setting('synchronous_commit') AS s",
        )).rows;
        alone.push(row!.s as string);
        await connection.query("COMMIT");
        return result;
      } finally {
        connection.release();
      }
    },
    transaction: (work) =>
      inner.transaction!(async (tx) => {
        const value = await work(tx);
        const [row] = (await tx.query(
          "SELECT current_setting('synchronous_commit') AS s",
        )).rows;
        settings.push(row!.s as string);
        return value;
      }),
  };
  const store = new PostgresStore({
    client,
    schema: freshSchema(),
    clock: "caller",
  });
  await store.migrate();
  settings.length = 0;

  const connection = await (opened.raw as pg.Pool).connect();
  try {
    await connection.query("BEGIN");
    await store.enqueue([{
      id: "m1",
      url: "https://example.test/hook",
      loggedUrl: "https://example.test/hook",
      endpoint: "a",
      body: "{}",
      headers: {},
      createdAt: T0,
    }], { transaction: pgClient(connection) });
    const [row] = (await connection.query(
      "SELECT current_setting('synchronous_commit') AS s",
    )).rows;
    assert.equal(row!.s, "on", "the enqueue's commit waits");
    await connection.query("COMMIT");
  } finally {
    connection.release();
  }

  const { messages: [claimed] } = await store.claim({
    now: T0,
    limit: 10,
    leaseMs: 1_000,
    endpointLimit: 10,
    maxClaimsWithoutResult: 3,
  });
  assert.equal(claimed?.id, "m1");
  assert.deepEqual(
    await Promise.all([
      store.record([{
        id: "m1",
        token: claimed!.token,
        now: T0 + 1,
        decision: { type: "delivered" },
      }]),
      store.record([{
        id: "m1",
        token: claimed!.token,
        now: T0 + 2,
        decision: { type: "delivered" },
      }]),
    ]),
    [[{ recorded: true }], [{ recorded: false }]],
  );
  assert.deepEqual(settings, ["off", "off"], "the claim's, then the results'");

  // A result alone (no breaker to update) is one statement, no transaction;
  // so is an enqueue outside the caller's transaction, which waits.
  alone.length = 0;
  await store.enqueue([{
    id: "m2",
    url: "https://example.test/hook",
    loggedUrl: "https://example.test/hook",
    endpoint: "a",
    body: "{}",
    headers: {},
    createdAt: T0,
  }]);
  assert.deepEqual(alone, ["on"], "the enqueue's statement");
  const { messages: [second] } = await store.claim({
    now: T0 + 10,
    limit: 10,
    leaseMs: 1_000,
    endpointLimit: 10,
    maxClaimsWithoutResult: 3,
  });
  alone.length = 0;
  assert.deepEqual(
    await store.record([{
      id: "m2",
      token: second!.token,
      now: T0 + 11,
      decision: { type: "delivered" },
    }]),
    [{ recorded: true }],
  );
  assert.deepEqual(alone, ["off"], "the result's statement");
  assert.equal((await store.get("m2"))?.status, "delivered");
  const [after] = (await pool.query(
    "SELECT current_setting('synchronous_commit') AS s",
  )).rows;
  assert.equal(after!.s, "on", "for those transactions only");
  await store.close();
});
