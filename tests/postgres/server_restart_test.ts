/**
 * Issue 12's proof that PostgresStore's workers survive the database going
 * away: PostgreSQL itself is stopped (`pg_ctl stop -m fast`) under two
 * running workers that also produce, each on its own node-postgres pool,
 * and started again on the same port and data. This test owns its server,
 * so the others' (WEBHOOK_PG_URL's) is never disturbed.
 *
 * node-postgres only: postgres.js 3.4.9 can throw from a `setImmediate`
 * when the server closes a connection under a pending write
 * (`Cannot read properties of null (reading 'write')` in `nextWrite`,
 * porsager/postgres#1154 and #1208, denoland/deno#34667), which no caller
 * can catch and which ends the process; this test hit it on its first run.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { WebhookQueue } from "../../mod.ts";
import { startPostgres } from "../../scripts/postgres/server.ts";
import {
  pgClient,
  type PostgresClient,
  PostgresStore,
} from "../../src/stores/postgres/mod.ts";
import { captureLogger } from "../_capture_logger.ts";
import { eventually, hold, startReceiver } from "../queue/_receiver.ts";
import { freshSchema } from "./_postgres.ts";

type Phase = "before" | "stopping" | "outage" | "restarting" | "after";

interface Attempted {
  id: string;
  via: "pg1" | "pg2";
  /** The phase the enqueue was called in. */
  phase: Phase;
  error?: unknown;
}

Deno.test("PostgresStore: PostgreSQL stopped and started again under running workers (node-postgres): every enqueue that resolved is delivered, every enqueue during the outage rejects, the workers log the store error and carry on", async () => {
  // Its own server, even when WEBHOOK_PG_URL names one: it needs the binaries.
  const server = await startPostgres().catch((error: Error) => {
    throw new Error(
      `This test stops and starts a PostgreSQL server of its own, so it needs the server binaries even with WEBHOOK_PG_URL set. ${error.message}`,
    );
  });
  // Stopped in `finally`; and at exit, should an uncaught error end the run.
  const stopAtExit = () => server.stopSync();
  globalThis.addEventListener("unload", stopAtExit);
  // Neither pool has an `error` listener of the test's: pgClient's own
  // keeps a lost idle connection from ending the process.
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  const pool2 = new pg.Pool({ connectionString: server.url, max: 4 });
  const schema = freshSchema();
  await using receiver = startReceiver(async (_request, signal) => {
    await hold(5, signal);
    return new Response(null, { status: 204 });
  });
  const queues: WebhookQueue[] = [];
  const worker = (via: Attempted["via"], client: PostgresClient) => {
    const logger = captureLogger();
    const queue = new WebhookQueue({
      store: new PostgresStore({ client, schema }),
      logger,
      jitter: 0,
      concurrency: 4,
      endpointConcurrency: 8,
      leaseMs: 3_000,
      pollIntervalMs: 100,
      timeoutMs: 2_000,
      retryDelaysMs: [100, 100, 100, 100, 100],
      fetch: (url, init) => {
        const headers = new Headers(init.headers);
        headers.set("x-worker", via);
        return fetch(url, { ...init, headers });
      },
    });
    queues.push(queue);
    return { via, queue, logger };
  };
  let producing: Promise<void> | undefined;
  let stopProducing = false;
  try {
    await new PostgresStore({ client: pgClient(pool), schema }).migrate();
    const workers = [
      worker("pg1", pgClient(pool)),
      worker("pg2", pgClient(pool2)),
    ];
    for (const { queue } of workers) queue.start();

    let phase: Phase = "before";
    const attempted: Attempted[] = [];
    // One producer per adapter, each enqueueing one message after another.
    const produce = async (index: number) => {
      const { via, queue } = workers[index]!;
      for (let n = 0; !stopProducing; n++) {
        const entry: Attempted = { id: `${via}-${n}`, via, phase };
        try {
          await queue.enqueue(`${receiver.origin}/hook`, { n }, {
            id: entry.id,
          });
        } catch (error) {
          entry.error = error;
        }
        attempted.push(entry);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    producing = Promise.all([produce(0), produce(1)]).then(() => {});
    const count = (filter: (entry: Attempted) => boolean) =>
      attempted.filter(filter).length;

    await receiver.waitFor(30);
    // An enqueue made while the server shuts down may go either way.
    phase = "stopping";
    await server.shutdown();
    phase = "outage";
    // Enqueues made while the server is down, through both adapters.
    await eventually(
      () =>
        count((e) => e.phase === "outage" && e.via === "pg1") >= 3 &&
        count((e) => e.phase === "outage" && e.via === "pg2") >= 3,
      "enqueues during the outage",
      20_000,
    );
    phase = "restarting";
    await server.startAgain();
    const restartedFrom = receiver.received.length;
    phase = "after";
    await eventually(
      () => count((e) => e.phase === "after" && e.error === undefined) >= 40,
      "enqueues after the restart",
      20_000,
    );
    stopProducing = true;
    await producing;

    const resolved = attempted.filter((e) => e.error === undefined);
    const arrived = () =>
      new Set(receiver.received.map((r) => r.headers.get("webhook-id")!));
    await eventually(
      () => resolved.every((e) => arrived().has(e.id)),
      "every resolved enqueue delivered",
      30_000,
    );

    // Stored means delivered: the receiver got it and the store says so.
    const store = new PostgresStore({ client: pgClient(pool), schema });
    await eventually(
      async () => {
        for (const { id } of resolved) {
          if ((await store.get(id))?.status !== "delivered") return false;
        }
        return true;
      },
      "every resolved enqueue recorded as delivered",
      20_000,
    );

    // Nothing enqueued while the server was down resolved; what was
    // refused carries the driver's error, and is nowhere in the store
    // (or, when the server committed it before the reply was lost,
    // delivered like the rest).
    const outage = attempted.filter((e) => e.phase === "outage");
    assert.ok(outage.length >= 6);
    assert.deepEqual(
      outage.filter((e) => e.error === undefined).map((e) => e.id),
      [],
      "an enqueue resolved while the server was down",
    );
    for (const entry of attempted.filter((e) => e.error !== undefined)) {
      assert.ok(entry.error instanceof Error, String(entry.error));
      // The driver's own words: refused, reset, shutting down, starting up.
      assert.match(
        entry.error.message,
        /ECONNREFUSED|ECONNRESET|terminating connection|shutting down|starting up|Connection terminated/,
      );
      const record = await store.get(entry.id);
      assert.ok(
        record === undefined || record.status === "delivered",
        `${entry.id} was refused yet is ${record?.status}`,
      );
    }
    assert.ok(count((e) => e.phase === "before" && !e.error) > 0);

    // Each worker told its logger about the store error, then went on
    // delivering from the restarted server.
    const after = receiver.received.slice(restartedFrom);
    for (const { via, logger } of workers) {
      assert.ok(
        logger.records.some((r) =>
          r.level === "error" && r.message === "Webhook queue store error"
        ),
        `the ${via} worker logged no store error`,
      );
      assert.ok(
        after.some((r) => r.headers.get("x-worker") === via),
        `the ${via} worker delivered nothing after the restart`,
      );
    }
  } finally {
    stopProducing = true;
    await producing?.catch(() => {});
    await Promise.all(queues.map((queue) => queue.close({ graceMs: 1_000 })));
    await pool.end();
    await pool2.end();
    await server.stop();
    globalThis.removeEventListener("unload", stopAtExit);
  }
});

Deno.test("pgClient: a pool wrapped twice gets one error listener and one connect listener", async () => {
  const pool = new pg.Pool({ connectionString: "postgres://127.0.0.1:1/none" });
  pgClient(pool);
  pgClient(pool);
  assert.equal(pool.listenerCount("error"), 1);
  assert.equal(pool.listenerCount("connect"), 1);
  await pool.end();
});
