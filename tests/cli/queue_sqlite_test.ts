import assert from "node:assert/strict";
import { SqliteStore } from "../../src/stores/sqlite/sqlite_store.ts";
import { runCli } from "./_cli.ts";
import { checkInspection, checkReplayOne, queueJson } from "./_queue_cases.ts";
import {
  deliverUntil,
  fillQueue,
  startFixtureReceiver,
} from "./_queue_fixture.ts";

async function withFixture(
  test: (
    path: string,
    store: string[],
    receiver: ReturnType<typeof startFixtureReceiver>,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "webhook-cli-" });
  const path = `${dir}/queue.db`;
  await using receiver = startFixtureReceiver();
  try {
    await fillQueue(() => new SqliteStore({ path }), receiver.origin);
    await test(path, ["--sqlite", path], receiver);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("queue stats, list and show read a SQLite file as tables and JSON, redacted", async () => {
  await withFixture(async (_path, store) => {
    await checkInspection(store);
  });
});

Deno.test("queue replay <id> makes a dead message pending; the running queue then delivers it", async () => {
  await withFixture(async (path, store, receiver) => {
    receiver.fixDead();
    await checkReplayOne(store);
    await deliverUntil(new SqliteStore({ path }), ["evt_dead_1"]);
    const record = await queueJson(["show", "evt_dead_1"], store) as {
      status: string;
      attempts: unknown[];
    };
    assert.equal(record.status, "delivered");
    assert.equal(record.attempts.length, 2);
  });
});

Deno.test("queue replay --dead --endpoint replays that endpoint's dead messages", async () => {
  await withFixture(async (path, store, receiver) => {
    const endpoint = `${receiver.origin}/dead`;
    const none = await queueJson([
      "replay",
      "--dead",
      "--endpoint",
      "http://127.0.0.1:1/other",
    ], store);
    assert.deepEqual(none, { replayed: 0 });
    const future = await runCli([
      "queue",
      "replay",
      "--dead",
      "--since",
      "2999-01-01T00:00:00Z",
      ...store,
    ]);
    assert.equal(future.code, 0);
    assert.match(future.stdout, /^replayed 0 dead messages$/m);
    receiver.fixDead();
    const replayed = await runCli([
      "queue",
      "replay",
      "--dead",
      "--endpoint",
      endpoint,
      "--since",
      "1h",
      ...store,
    ]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stdout, /^replayed 2 dead messages$/m);
    await deliverUntil(new SqliteStore({ path }), ["evt_dead_1", "evt_dead_2"]);
    assert.deepEqual(
      (await queueJson(["stats"], store) as { delivered: number }).delivered,
      3,
    );
  });
});

Deno.test("queue disable and enable switch an endpoint, shown by stats", async () => {
  await withFixture(async (_path, store) => {
    const endpoint = "https://monitoring.invalid/hooks";
    const disabled = await runCli([
      "queue",
      "disable",
      endpoint,
      "--reason",
      "customer left",
      ...store,
    ]);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /1 pending message now dead/);
    const stats = await runCli(["queue", "stats", ...store]);
    assert.match(
      stats.stdout,
      /^https:\/\/monitoring\.invalid\/hooks +customer left$/m,
    );
    assert.deepEqual(await queueJson(["enable", endpoint], store), {
      endpoint,
      enabled: true,
    });
    const again = await runCli(["queue", "enable", endpoint, ...store]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /was not disabled/);
  });
});

Deno.test("queue exits 2 on usage errors, before opening any store", async () => {
  const cases: [string[], RegExp][] = [
    [["queue"], /Usage: webhook-delivery queue/],
    [["queue", "frobnicate"], /unknown queue command "frobnicate"/],
    [["queue", "stats"], /--sqlite <file> or --postgres <url>/],
    [
      ["queue", "stats", "--sqlite", "a.db", "--postgres", "postgres://x"],
      /one of them/,
    ],
    [["queue", "stats", "--sqlite", "/nonexistent/queue.db"], /no such file/],
    [
      ["queue", "list", "--sqlite", "a.db", "--status", "lost"],
      /--status must be one of/,
    ],
    [
      ["queue", "list", "--sqlite", "a.db", "--limit", "0"],
      /--limit must be an integer from 1 to 1000/,
    ],
    [["queue", "show", "--sqlite", "a.db"], /needs <id>/],
    [
      ["queue", "replay", "x", "--endpoint", "e", "--sqlite", "a.db"],
      /go with queue replay --dead/,
    ],
    [
      ["queue", "replay", "--dead", "--since", "yesterday", "--sqlite", "a.db"],
      /--since must be an ISO 8601 time/,
    ],
    [["queue", "disable", "e", "--sqlite", "a.db"], /needs --reason/],
    [
      ["queue", "stats", "--sqlite", "a.db", "--schema", "s"],
      /--schema goes with --postgres/,
    ],
    [
      ["queue", "stats", "--postgres", "postgres://x", "--schema", "a-b"],
      /--schema must be/,
    ],
    [
      ["queue", "stats", "--postgres", "postgres://admin:pw_secret@[bad/db"],
      /--postgres is not a valid URL/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    assert.doesNotMatch(result.stderr, /pw_secret/, "no password");
  }
});

Deno.test("queue --help and each queue command's --help", async () => {
  const top = await runCli(["queue", "--help"]);
  assert.equal(top.code, 0);
  for (
    const command of [
      "stats",
      "list",
      "show",
      "replay",
      "enable",
      "disable",
      "serve",
    ]
  ) {
    assert.match(top.stdout, new RegExp(`^  ${command}\\b`, "m"));
    const help = await runCli(["queue", command, "--help"]);
    assert.equal(help.code, 0, command);
    assert.match(
      help.stdout,
      new RegExp(`^Usage: webhook-delivery queue ${command}`),
    );
    assert.match(
      help.stdout,
      /Exit codes: 0 done, 1 not found or failed, 2 usage error/,
    );
  }
});
