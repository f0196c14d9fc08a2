import assert from "node:assert/strict";
import { freshSchema, openStore, postgresUrl } from "../postgres/_postgres.ts";
import { runCli } from "./_cli.ts";
import { checkInspection, checkReplayOne, queueJson } from "./_queue_cases.ts";
import {
  deliverUntil,
  fillQueue,
  startFixtureReceiver,
} from "./_queue_fixture.ts";

Deno.test("queue stats, list, show and replay work on PostgreSQL through --postgres and --schema", async () => {
  const schema = freshSchema();
  await using receiver = startFixtureReceiver();
  await fillQueue(() => openStore("pg", { schema }), receiver.origin);
  const store = ["--postgres", await postgresUrl(), "--schema", schema];

  await checkInspection(store);
  receiver.fixDead();
  await checkReplayOne(store);
  await deliverUntil(await openStore("pg", { schema }), ["evt_dead_1"]);
  const record = await queueJson(["show", "evt_dead_1"], store) as {
    status: string;
  };
  assert.equal(record.status, "delivered");
  const rest = await queueJson([
    "replay",
    "--dead",
    "--endpoint",
    `${receiver.origin}/dead`,
  ], store);
  assert.deepEqual(rest, { replayed: 1 });
});

Deno.test("queue on a PostgreSQL schema that was never migrated fails with exit 1 and a message", async () => {
  const result = await runCli([
    "queue",
    "stats",
    "--postgres",
    await postgresUrl(),
    "--schema",
    freshSchema(),
  ]);
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /^webhook-delivery: .*no queue in schema t_\w+ \(was PostgresStore.migrate\(\) run/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});
