/**
 * Issue 12's proof that PostgresStore lets separate processes share one
 * queue: a producer process (postgres.js) and three worker processes (pg),
 * each with its own client and store on one schema, deliver into one
 * receiver here; one worker is SIGKILLed mid-run and a fresh one started.
 */
import assert from "node:assert/strict";
import { PostgresStore } from "../../src/stores/postgres/mod.ts";
import { eventually, hold, startReceiver } from "../queue/_receiver.ts";
import { within } from "../_within.ts";
import { type Child, spawnChild } from "./_children.ts";
import { freshSchema, openClient, postgresUrl } from "./_postgres.ts";
import type { WorkerConfig } from "./_worker_child.ts";

const WORKER = new URL("./_worker_child.ts", import.meta.url);
const PRODUCER = new URL("./_producer_child.ts", import.meta.url);

// The full figure: 5 000 messages over 50 endpoints (about 20 to
// 40 s on a busy 2-core machine).
const MESSAGES = 5_000;
const ENDPOINTS = 50;
/**
 * Per worker. Claims of different processes queue on the advisory locks of
 * the endpoints they share, so the run is quicker when each claim takes
 * many messages (at 16 the run took about twice as long as at 32).
 */
const CONCURRENCY = 64;
const ENDPOINT_CONCURRENCY = 3;
/** Deliveries observed before the SIGKILL. */
const KILL_AFTER = 1_000;

Deno.test(`PostgresStore: a producer and three worker processes deliver ${MESSAGES} messages over ${ENDPOINTS} endpoints, a worker SIGKILLed mid-run: all delivered, duplicates only from its leases, the endpoint limit held across processes`, async () => {
  const url = await postgresUrl();
  const startedAt = performance.now();
  const schema = freshSchema();
  await using admin = await openClient("pg");
  await new PostgresStore({ client: admin.client, schema }).migrate();

  // When the kill comes, w2's requests are held until it is dead, so that
  // it dies with attempts in flight: sent, leased and never recorded.
  let gate: Promise<void> | undefined;
  let openGate = () => {};
  let heldFromW2 = 0;
  await using receiver = startReceiver(async (request, signal) => {
    if (gate && request.headers.get("x-worker") === "w2") {
      heldFromW2++;
      await Promise.race([
        gate,
        new Promise((resolve) =>
          signal.addEventListener("abort", resolve, { once: true })
        ),
      ]);
    }
    await hold(20, signal);
    return new Response(null, { status: 204 });
  });
  const children: Child[] = [];
  const worker = (name: string) => {
    const config: WorkerConfig = {
      url,
      schema,
      adapter: "pg",
      name,
      queue: {
        concurrency: CONCURRENCY,
        endpointConcurrency: ENDPOINT_CONCURRENCY,
        leaseMs: 5_000,
        timeoutMs: 2_000,
        pollIntervalMs: 250,
        retryDelaysMs: [100, 100, 100, 100, 100],
      },
    };
    const child = spawnChild(WORKER, [JSON.stringify(config)]);
    children.push(child);
    return child;
  };
  try {
    const workers = ["w1", "w2", "w3"].map(worker);
    await Promise.all(workers.map((w) => w.printed("ready")));
    const producer = spawnChild(PRODUCER, [
      url,
      schema,
      receiver.origin,
      String(MESSAGES),
      String(ENDPOINTS),
    ]);
    children.push(producer);

    await within(receiver.waitFor(KILL_AFTER), 60_000, "the first deliveries");
    gate = new Promise((resolve) => openGate = resolve);
    await eventually(() => heldFromW2 > 0, "a request of w2 held", 30_000);
    const killAt = performance.now();
    await workers[1]!.kill();
    openGate();
    // The killed worker's leases live on (5 s): the messages it held
    // unrecorded. A live worker's lease ends within milliseconds (the
    // receiver answers at once), so a lease still held by the same token
    // 1.5 s after the kill is the killed worker's.
    const leases = async () =>
      new Map(
        (await admin.client.query(
          `SELECT id, lease_token FROM "${schema}".webhook_messages
           WHERE status = 'pending' AND lease_until > 0`,
        )).rows.map((row) => [row.id as string, row.lease_token as string]),
      );
    const leasedAtKill = await leases();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const leasedLater = await leases();
    const heldByKilled = [...leasedAtKill].filter(([id, token]) =>
      leasedLater.get(id) === token
    ).map(([id]) => id);
    const fresh = worker("w4");
    await fresh.printed("ready");

    assert.equal((await producer.done()).code, 0, producer.stderr);
    const producedAt = performance.now();
    const stored = new Set<string>();
    for (const line of producer.lines) {
      const [word, first, last] = line.split(" ");
      if (word !== "stored") continue;
      for (let n = Number(first); n <= Number(last); n++) stored.add(`m-${n}`);
    }
    assert.equal(stored.size, MESSAGES);

    const counts = new Map<string, number>();
    const fromKilled = new Set<string>();
    // Generous: 20 to 40 s in all on a loaded 2-core machine.
    const deadline = Date.now() + 90_000;
    for (;;) {
      counts.clear();
      for (const request of receiver.received) {
        const id = request.headers.get("webhook-id")!;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const { rows } = await admin.client.query(
        `SELECT count(*) AS n FROM "${schema}".webhook_messages
           WHERE status = 'delivered'`,
      );
      if (counts.size >= MESSAGES && Number(rows[0]!.n) >= MESSAGES) break;
      assert.ok(
        Date.now() < deadline,
        `after 90 s, ${counts.size} ids arrived, ${rows[0]!.n} delivered`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const deliveredAt = performance.now();
    for (const request of receiver.received) {
      if (request.headers.get("x-worker") === "w2") {
        fromKilled.add(request.headers.get("webhook-id")!);
      }
    }

    // Graceful ends: exit 0, nothing on stderr (no stack trace).
    for (const w of [workers[0]!, workers[2]!, fresh]) {
      const status = await w.stop();
      assert.equal(status.code, 0, w.stderr);
      assert.equal(w.stderr, "");
      assert.ok(w.lines.includes("closed"));
    }

    // Every id stored reached the receiver, and the store says delivered.
    const missing = [...stored].filter((id) => !counts.has(id));
    assert.deepEqual(missing, [], `${missing.length} ids never arrived`);
    const { rows } = await admin.client.query(
      `SELECT status, count(*) AS n FROM "${schema}".webhook_messages
       GROUP BY status`,
    );
    assert.deepEqual(
      rows.map((row) => [row.status, Number(row.n)]),
      [["delivered", MESSAGES]],
    );

    // A duplicate is only ever a message the killed worker held leased and
    // unrecorded when it died: sent by it, then again after its lease ended
    // (a message it held but had not sent yet arrives once).
    // Those are its attempts in flight (at most CONCURRENCY) plus attempts
    // whose request had ended but whose result was not yet committed.
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of duplicates) {
      assert.ok(
        heldByKilled.includes(id) && fromKilled.has(id),
        `${id} arrived ${
          counts.get(id)
        } times without being the killed worker's`,
      );
      assert.equal(counts.get(id), 2);
    }
    assert.ok(fromKilled.size > 0, "the killed worker had delivered");
    assert.ok(heldByKilled.length > 0, "the kill landed while it held leases");
    // What it had sent when it died was sent again by another worker.
    assert.ok(duplicates.length > 0, "its attempts in flight were repeated");

    // The per-endpoint limit, counted at the receiver across all processes.
    const over = [...receiver.maxConcurrent].filter(([, n]) =>
      n > ENDPOINT_CONCURRENCY
    );
    assert.deepEqual(over, [], "endpointConcurrency exceeded");
    assert.equal(receiver.maxConcurrent.size, ENDPOINTS);
    const busiest = Math.max(...receiver.maxConcurrent.values());
    assert.equal(busiest, ENDPOINT_CONCURRENCY, "the limit was reached");

    if (Deno.env.get("WEBHOOK_PG_FIGURES")) {
      console.log(
        JSON.stringify({
          received: receiver.received.length,
          duplicates: duplicates.length,
          heldByKilledAtDeath: heldByKilled.length,
          deliveredByKilled: fromKilled.size,
          busiestEndpoint: busiest,
          killAtMs: Math.round(killAt - startedAt),
          producedAtMs: Math.round(producedAt - startedAt),
          deliveredAtMs: Math.round(deliveredAt - startedAt),
        }),
      );
    }
  } finally {
    await Promise.all(children.map((child) => child[Symbol.asyncDispose]()));
  }
});
