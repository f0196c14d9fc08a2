/**
 * The `queue` commands' checks, run against any store: the SQLite test and
 * the PostgreSQL test call them with their own `--sqlite`/`--postgres`
 * arguments.
 */
import assert from "node:assert/strict";
import { runCli } from "./_cli.ts";

/** Runs `queue <args> <store args>` and parses stdout as JSON. */
export async function queueJson(
  args: readonly string[],
  store: readonly string[],
): Promise<unknown> {
  const result = await runCli(["queue", ...args, ...store, "--json"]);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Checks what `stats`, `list` and `show` report of the fixture, as tables and JSON. */
export async function checkInspection(store: readonly string[]): Promise<void> {
  const stats = await runCli(["queue", "stats", ...store]);
  assert.equal(stats.code, 0, stats.stderr);
  assert.match(stats.stdout, /^pending: +1$/m);
  assert.match(stats.stdout, /^delivered: +1$/m);
  assert.match(stats.stdout, /^dead: +2$/m);
  assert.match(stats.stdout, /^disabled endpoints: none$/m);
  assert.deepEqual(await queueJson(["stats"], store), {
    pending: 1,
    delivered: 1,
    dead: 2,
    inFlight: 0,
    disabledEndpoints: [],
  });

  const list = await runCli(["queue", "list", ...store]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ID +STATUS +ATTEMPTS +UPDATED +URL$/m);
  assert.match(
    list.stdout,
    /^evt_ok +delivered +1 +\S+ +http:\/\/127\.0\.0\.1:\d+\/ok\?token=REDACTED$/m,
  );
  assert.match(list.stdout, /^evt_dead_1 +dead +1 /m);
  assert.match(list.stdout, /^evt_pending +pending +0 /m);
  const dead = await queueJson(["list", "--status", "dead"], store) as {
    messages: { id: string }[];
  };
  assert.deepEqual(dead.messages.map((m) => m.id).sort(), [
    "evt_dead_1",
    "evt_dead_2",
  ]);
  // Paging: one at a time, following the printed cursor.
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await runCli([
      "queue",
      "list",
      "--limit",
      "1",
      ...(cursor ? ["--cursor", cursor] : []),
      ...store,
    ]);
    assert.equal(page.code, 0, page.stderr);
    ids.push(...[...page.stdout.matchAll(/^(evt_\w+) /gm)].map((m) => m[1]!));
    cursor = /^next page: --cursor (\S+)$/m.exec(page.stdout)?.[1];
  } while (cursor && ids.length < 10);
  assert.deepEqual(ids.sort(), [
    "evt_dead_1",
    "evt_dead_2",
    "evt_ok",
    "evt_pending",
  ]);

  const show = await runCli(["queue", "show", "evt_dead_1", ...store]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^status: +dead$/m);
  assert.match(show.stdout, /^dead because: .*404/m);
  assert.match(show.stdout, /^# +STARTED +RESULT +DURATION/m);
  assert.match(show.stdout, /^1 +\S+ +HTTP 404 /m);
  const record = await queueJson(["show", "evt_ok"], store) as Record<
    string,
    unknown
  >;
  assert.equal(record.status, "delivered");
  assert.match(String(record.url), /\/ok\?token=REDACTED$/);

  // Nothing secret is ever printed: not the URL's token, not a header
  // value, not the payload.
  for (
    const args of [["list"], ["show", "evt_ok"], ["list", "--json"], [
      "show",
      "evt_ok",
      "--json",
    ]]
  ) {
    const result = await runCli(["queue", ...args, ...store]);
    assert.doesNotMatch(
      result.stdout + result.stderr,
      /tok_secret|hv_secret|x-api-key|payload_secret/,
    );
  }

  const missing = await runCli(["queue", "show", "evt_nope", ...store]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no message "evt_nope"/);
}

/** Replays `evt_dead_1` by id: pending again; a pending message cannot be. */
export async function checkReplayOne(store: readonly string[]): Promise<void> {
  const replay = await runCli(["queue", "replay", "evt_dead_1", ...store]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /^replayed evt_dead_1: pending again$/m);
  const record = await queueJson(["show", "evt_dead_1"], store) as Record<
    string,
    unknown
  >;
  assert.equal(record.status, "pending");
  const again = await runCli(["queue", "replay", "evt_pending", ...store]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no dead or delivered message "evt_pending"/);
}
