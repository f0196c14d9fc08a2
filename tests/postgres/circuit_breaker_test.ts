/**
 * Issue 12's proof that PostgresStore's circuit breaker is shared by
 * processes: two worker processes (pg), each with its own client and store
 * on one schema, deliver to one failing endpoint. Its breaker state is a
 * row both read, so a pause one of them trips holds the other back too,
 * the half-open probe goes out once across both, and its success resumes
 * the endpoint for both.
 */
import assert from "node:assert/strict";
import { silentLogger, WebhookQueue } from "../../mod.ts";
import { PostgresStore } from "../../src/stores/postgres/mod.ts";
import { eventually, hold, startReceiver } from "../queue/_receiver.ts";
import { type Child, spawnChild } from "./_children.ts";
import { freshSchema, openClient, postgresUrl } from "./_postgres.ts";
import type { WorkerConfig } from "./_worker_child.ts";

const WORKER = new URL("./_worker_child.ts", import.meta.url);

const MESSAGES = 12;
const FAILURE_THRESHOLD = 3;
const COOLDOWN_MS = 1_000;
/** Two requests at once to the endpoint, one from each worker. */
const ENDPOINT_CONCURRENCY = 2;
/** How long the healed receiver takes to answer, so overlaps show. */
const SUCCESS_HOLD_MS = 150;

Deno.test("PostgresStore: two worker processes share an endpoint's circuit breaker: paused for both after failureThreshold failures, one probe across both after the cooldown, resumed for both by its success", async () => {
  const url = await postgresUrl();
  const schema = freshSchema();
  await using admin = await openClient("pg");
  const store = new PostgresStore({ client: admin.client, schema });
  await store.migrate();
  await using producer = new WebhookQueue({ store, logger: silentLogger });

  let healed = false;
  /** Every request as it arrived, and whether it was answered 204. */
  const requests: { at: number; ok: boolean; worker: string | null }[] = [];
  await using receiver = startReceiver(async (request, signal) => {
    requests.push({
      at: request.at,
      ok: healed,
      worker: request.headers.get("x-worker"),
    });
    if (!healed) {
      await hold(20, signal);
      return new Response(null, { status: 503 });
    }
    await hold(SUCCESS_HOLD_MS, signal);
    return new Response(null, { status: 204 });
  });
  const children: Child[] = [];
  try {
    for (const name of ["w1", "w2"]) {
      const config: WorkerConfig = {
        url,
        schema,
        adapter: "pg",
        name,
        events: true,
        queue: {
          // One request at a time per process: the endpoint's two slots
          // are only both used when both processes deliver.
          concurrency: 1,
          endpointConcurrency: ENDPOINT_CONCURRENCY,
          leaseMs: 5_000,
          timeoutMs: 2_000,
          pollIntervalMs: 100,
          retryDelaysMs: Array(10).fill(50),
          circuitBreaker: {
            failureThreshold: FAILURE_THRESHOLD,
            cooldownMs: COOLDOWN_MS,
            maxCooldownMs: 10_000,
          },
        },
      };
      children.push(spawnChild(WORKER, [JSON.stringify(config)]));
    }
    await Promise.all(children.map((child) => child.printed("ready")));

    const endpoint = `${receiver.origin}/flaky`;
    const ids: string[] = [];
    for (let n = 0; n < MESSAGES; n++) {
      ids.push((await producer.enqueue(endpoint, { n })).id);
    }
    // Heal the endpoint once it is paused, so the probe succeeds; not at
    // once: a request claimed before the pause was recorded may still go
    // out, and it must fail like the others rather than pass for the probe.
    await Promise.race(
      children.map((c) => c.printed('event {"type":"endpoint.paused"')),
    );
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS / 2));
    healed = true;

    await eventually(
      async () => {
        for (const id of ids) {
          if ((await store.get(id))?.status !== "delivered") return false;
        }
        return true;
      },
      "every message delivered after the endpoint healed",
      20_000,
    );

    const pausedAt = requests.findIndex((r) => r.ok);
    const failures = requests.slice(0, pausedAt);
    // Paused after failureThreshold failures: only requests already
    // claimed when the tripping failure was recorded went out besides.
    assert.ok(
      failures.length >= FAILURE_THRESHOLD &&
        failures.length <= FAILURE_THRESHOLD + ENDPOINT_CONCURRENCY - 1,
      `${failures.length} requests before the pause`,
    );
    // Both processes were delivering to it, then neither for the cooldown.
    for (const name of ["w1", "w2"]) {
      assert.ok(
        failures.some((r) => r.worker === name),
        `${name} sent nothing before the pause`,
      );
    }
    const probe = requests[pausedAt]!;
    const gap = probe.at - failures.at(-1)!.at;
    assert.ok(
      gap >= COOLDOWN_MS * 0.8,
      `the probe came ${Math.round(gap)} ms after the last failure`,
    );
    // One probe across both processes: the next request waited for its
    // success to be recorded.
    const next = requests[pausedAt + 1]!;
    assert.ok(
      next.at - probe.at >= SUCCESS_HOLD_MS - 10,
      `a second request ${Math.round(next.at - probe.at)} ms after the probe`,
    );
    // Resumed for both: each process delivered afterwards, two at a time.
    const after = requests.slice(pausedAt + 1);
    for (const name of ["w1", "w2"]) {
      assert.ok(
        after.some((r) => r.worker === name),
        `${name} delivered nothing after the resume`,
      );
    }
    assert.equal(
      requests.filter((r) => r.ok).length,
      MESSAGES,
      "one success each",
    );

    // One process recorded the trip, one the resume (the probe's).
    const events = (type: string) =>
      children.flatMap((child) =>
        child.lines.filter((line) => line.startsWith(`event {"type":"${type}"`))
      );
    assert.equal(events("endpoint.paused").length, 1);
    assert.equal(events("endpoint.resumed").length, 1);

    for (const child of children) {
      assert.equal((await child.stop()).code, 0, child.stderr);
      assert.equal(child.stderr, "");
    }
  } finally {
    await Promise.all(children.map((child) => child[Symbol.asyncDispose]()));
  }
});
