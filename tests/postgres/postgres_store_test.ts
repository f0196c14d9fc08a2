import assert from "node:assert/strict";
import type pg from "pg";
import type postgres from "postgres";
import {
  MemoryStore,
  type NewMessage,
  silentLogger,
  WebhookQueue,
} from "../../mod.ts";
import {
  pgClient,
  postgresJsClient,
  PostgresStore,
} from "../../src/stores/postgres/mod.ts";
import { schemaSql } from "../../src/stores/postgres/_schema.ts";
import { eventually, startReceiver } from "../queue/_receiver.ts";
import {
  type Adapter,
  freshSchema,
  openClient,
  openStore,
} from "./_postgres.ts";

const ADAPTERS: Adapter[] = ["pg", "postgres.js"];

function message(id: string, createdAt: number): NewMessage {
  return {
    id,
    url: "https://example.test/hook",
    loggedUrl: "https://example.test/hook",
    endpoint: "e",
    body: "{}",
    headers: {},
    createdAt,
  };
}

Deno.test("PostgresStore: schema.sql is what migrate() runs", async () => {
  const shipped = await Deno.readTextFile(
    new URL("../../src/stores/postgres/schema.sql", import.meta.url),
  );
  assert.equal(shipped, schemaSql());
});

Deno.test("PostgresStore: migrate() is idempotent, safe to run at once from several stores, and refuses a newer schema", async () => {
  await using opened = await openClient("pg");
  const schema = freshSchema();
  const stores = [1, 2, 3].map(() =>
    new PostgresStore({ client: opened.client, schema })
  );
  await Promise.all(stores.map((store) => store.migrate()));
  await stores[0]!.migrate();
  const pool = opened.raw as pg.Pool;
  const { rows } = await pool.query(
    `SELECT version FROM "${schema}".webhook_schema`,
  );
  assert.deepEqual(rows, [{ version: 1 }]);
  await pool.query(`UPDATE "${schema}".webhook_schema SET version = 7`);
  await assert.rejects(
    stores[0]!.migrate(),
    /schema t_\w+ is version 7, newer than this release knows \(1\)/,
  );
});

Deno.test("PostgresStore: schema.sql applied by hand leaves migrate() nothing to do", async () => {
  await using opened = await openClient("pg");
  const schema = freshSchema();
  await (opened.raw as pg.Pool).query(schemaSql(schema));
  const store = new PostgresStore({ client: opened.client, schema });
  await store.migrate();
  assert.equal(
    (await store.enqueue([message("m1", Date.now())]))[0]?.status,
    "pending",
  );
});

Deno.test("PostgresStore: a store and its client options are checked when it is built", () => {
  assert.throws(
    () => new PostgresStore({ client: {} as never }),
    /needs a 'client' with a query function/,
  );
  assert.throws(
    () =>
      new PostgresStore({
        client: { query: () => Promise.resolve({ rows: [] }) },
        schema: 'x"; DROP TABLE y; --',
      }),
    TypeError,
  );
});

Deno.test("PostgresStore: by the database's clock, a caller whose clock is off by hours still agrees on due times and leases", async () => {
  const store = await openStore("pg");
  try {
    const skew = -3 * 3_600_000;
    const callerNow = () => Date.now() + skew;
    await store.enqueue([message("m1", callerNow())]);
    const claimAt = (now: number) =>
      store.claim({
        now,
        limit: 10,
        leaseMs: 60_000,
        endpointLimit: 10,
        maxClaimsWithoutResult: 3,
      });
    // Due now by the database, whatever the caller's clock says.
    const [claimed] = (await claimAt(0)).messages;
    assert.equal(claimed?.id, "m1");
    assert.deepEqual(
      (await claimAt(Date.now() + 86_400_000)).messages,
      [],
      "the lease holds by the database's clock",
    );
    const now = callerNow();
    await store.record([{
      id: "m1",
      token: claimed!.token,
      now,
      decision: { type: "retry", at: now + 300 },
    }]);
    const early = await claimAt(now + 10_000_000);
    assert.deepEqual(early.messages, [], "a retry 300 ms later is not due yet");
    const wait = early.nextDueAt! - (now + 10_000_000);
    assert.ok(
      wait > 100 && wait <= 300,
      `nextDueAt is on the caller's clock, ${wait} ms ahead`,
    );
    await new Promise((resolve) => setTimeout(resolve, 320));
    assert.equal((await claimAt(0)).messages[0]?.id, "m1");
  } finally {
    await store.close();
  }
});

for (const adapter of ADAPTERS) {
  Deno.test(`PostgresStore (${adapter}): an enqueue in the caller's transaction is stored only if it commits, and the commit wakes a worker`, async () => {
    await using receiver = startReceiver();
    await using opened = await openClient(adapter);
    const schema = freshSchema();
    const store = new PostgresStore({ client: opened.client, schema });
    await store.migrate();
    await using queue = new WebhookQueue({
      store,
      logger: silentLogger,
      pollIntervalMs: 60_000,
    });
    queue.start();
    const url = `${receiver.origin}/outbox`;
    const inTransaction = async (
      work: (transaction: unknown) => Promise<void>,
      commit: boolean,
    ) => {
      if (adapter === "pg") {
        const connection = await (opened.raw as pg.Pool).connect();
        try {
          await connection.query("BEGIN");
          await work(pgClient(connection));
          await connection.query(commit ? "COMMIT" : "ROLLBACK");
        } finally {
          connection.release();
        }
      } else {
        await (opened.raw as postgres.Sql).begin(async (tx) => {
          await work(postgresJsClient(tx));
          if (!commit) throw new Error("roll back");
        }).catch((error: Error) => {
          if (commit || error.message !== "roll back") throw error;
        });
      }
    };
    await inTransaction(async (transaction) => {
      await queue.enqueue(url, { n: 1 }, { id: "rolled-back", transaction });
    }, false);
    assert.equal(await queue.get("rolled-back"), undefined);
    const started = performance.now();
    await inTransaction(async (transaction) => {
      await queue.enqueue(url, { n: 2 }, { id: "committed", transaction });
      assert.equal(
        await queue.get("committed"),
        undefined,
        "not visible before the commit",
      );
    }, true);
    await receiver.waitFor(1);
    assert.ok(
      performance.now() - started < 5_000,
      "woken by NOTIFY, not the 60 s poll",
    );
    await eventually(
      async () => (await queue.get("committed"))?.status === "delivered",
      "delivered",
    );
    assert.deepEqual(
      receiver.received.map((r) => r.headers.get("webhook-id")),
      ["committed"],
    );
  });

  Deno.test(`PostgresStore (${adapter}): an idle worker of another store is woken by LISTEN/NOTIFY, not its poll`, async () => {
    await using receiver = startReceiver();
    await using producerClient = await openClient(adapter);
    await using workerClient = await openClient(adapter);
    const schema = freshSchema();
    const producerStore = new PostgresStore({
      client: producerClient.client,
      schema,
    });
    await producerStore.migrate();
    await using producer = new WebhookQueue({
      store: producerStore,
      logger: silentLogger,
    });
    await using worker = new WebhookQueue({
      store: new PostgresStore({ client: workerClient.client, schema }),
      logger: silentLogger,
      pollIntervalMs: 60_000,
    });
    worker.start();
    // Let the worker go idle, listening.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latencies: number[] = [];
    for (let n = 0; n < 5; n++) {
      const started = performance.now();
      await producer.enqueue(`${receiver.origin}/hook`, { n });
      await receiver.waitFor(n + 1);
      latencies.push(receiver.received[n]!.at - started);
    }
    assert.ok(
      Math.max(...latencies) < 1_000,
      `picked up in ${latencies.map(Math.round).join(", ")} ms`,
    );
  });
}

Deno.test("MemoryStore and the queue refuse a transaction they cannot join", async () => {
  await using queue = new WebhookQueue({
    store: new MemoryStore(),
    logger: silentLogger,
  });
  await assert.rejects(
    queue.enqueue("https://example.test/hook", {}, { transaction: {} }),
    /MemoryStore cannot join a transaction/,
  );
});
