import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../../src/stores/sqlite/mod.ts";
import type { NewMessage } from "../../mod.ts";
import { storeContract } from "./store_contract.ts";
import { SCHEMA_V1 } from "../../src/stores/sqlite/_schema.ts";

storeContract("SqliteStore", async () => {
  const dir = await Deno.makeTempDir();
  return new SqliteStore({ path: `${dir}/webhooks.db` });
});

function message(id: string): NewMessage {
  return {
    id,
    url: "https://example.test/hook",
    loggedUrl: "https://example.test/hook",
    endpoint: "https://example.test/hook",
    body: "{}",
    headers: {},
    createdAt: Date.now(),
  };
}

Deno.test("SqliteStore: what an enqueue stored is there when the file is opened again", async () => {
  const path = `${await Deno.makeTempDir()}/webhooks.db`;
  const first = new SqliteStore({ path });
  await first.enqueue([message("m1")]);
  await first.close();
  const second = new SqliteStore({ path });
  assert.equal((await second.get("m1"))?.status, "pending");
  await second.close();
  const database = new DatabaseSync(path);
  const pragma = (name: string) =>
    Object.values(database.prepare(`PRAGMA ${name}`).get()!)[0];
  assert.equal(pragma("user_version"), 2);
  assert.equal(pragma("journal_mode"), "wal");
  database.close();
});

Deno.test("SqliteStore: a file whose schema is newer than this release is refused", async () => {
  const path = `${await Deno.makeTempDir()}/webhooks.db`;
  const database = new DatabaseSync(path);
  database.exec("PRAGMA user_version = 99");
  database.close();
  const store = new SqliteStore({ path });
  await assert.rejects(
    store.enqueue([message("m1")]),
    /schema is version 99, newer than this release knows \(2\)/,
  );
  await store.close();
});

Deno.test("SqliteStore: concurrent enqueues share transactions (group commit)", async () => {
  const database = new DatabaseSync(":memory:");
  let commits = 0;
  const counting = {
    exec(sql: string) {
      if (sql === "COMMIT") commits++;
      return database.exec(sql);
    },
    prepare: (sql: string) => database.prepare(sql),
    close: () => database.close(),
  };
  const store = new SqliteStore({ database: counting });
  await store.stats(Date.now()); // opens the file and creates the schema
  commits = 0;
  await Promise.all(
    Array.from({ length: 100 }, (_, i) => store.enqueue([message(`m${i}`)])),
  );
  assert.equal((await store.stats(Date.now())).pending, 100);
  assert.ok(commits <= 2, `100 concurrent enqueues took ${commits} commits`);
  await store.close();
});

Deno.test("SqliteStore: two stores on one file never lease the same message", async () => {
  const path = `${await Deno.makeTempDir()}/webhooks.db`;
  const [a, b] = [new SqliteStore({ path }), new SqliteStore({ path })];
  await a.enqueue(Array.from({ length: 50 }, (_, i) => message(`m${i}`)));
  const options = {
    now: Date.now(),
    limit: 10,
    leaseMs: 10_000,
    endpointLimit: 100,
    maxClaimsWithoutResult: 3,
  };
  const claimed: string[] = [];
  for (let round = 0; round < 5; round++) {
    for (const store of [a, b]) {
      claimed.push(...(await store.claim(options)).messages.map((m) => m.id));
    }
  }
  assert.equal(claimed.length, 50);
  assert.equal(new Set(claimed).size, 50);
  await a.close();
  await b.close();
});

Deno.test("SqliteStore: a full disk fails the enqueue and keeps what was stored", async () => {
  const database = new DatabaseSync(`${await Deno.makeTempDir()}/webhooks.db`);
  const store = new SqliteStore({ database });
  await store.enqueue([message("kept")]);
  // Stands in for a full disk: the file may not grow past the pages it has.
  const { page_count: pages } = database.prepare("PRAGMA page_count").get() as {
    page_count: number;
  };
  database.exec(`PRAGMA max_page_count = ${pages}`);
  const big = {
    ...message("too-big"),
    body: JSON.stringify("x".repeat(200_000)),
  };
  await assert.rejects(store.enqueue([big]), /full/);
  assert.equal(await store.get("too-big"), undefined);
  assert.equal((await store.get("kept"))?.status, "pending");
  await store.close();
});

Deno.test("SqliteStore: a database locked by another process fails after the busy timeout, then works", async () => {
  const path = `${await Deno.makeTempDir()}/webhooks.db`;
  const store = new SqliteStore({ path, busyTimeoutMs: 50 });
  await store.stats(Date.now());
  const other = new DatabaseSync(path);
  other.exec("BEGIN EXCLUSIVE");
  await assert.rejects(store.enqueue([message("m1")]), /locked|busy/i);
  other.exec("ROLLBACK");
  other.close();
  assert.deepEqual(await store.enqueue([message("m1")]), [{
    id: "m1",
    duplicate: false,
    status: "pending",
  }]);
  await store.close();
});

Deno.test("SqliteStore: needs a path or a database, not both", () => {
  assert.throws(() => new SqliteStore({} as { path: string }), TypeError);
});

Deno.test("SqliteStore: a version 1 file is migrated to version 2, its disabled endpoints kept", async () => {
  const path = `${await Deno.makeTempDir()}/webhooks.db`;
  const database = new DatabaseSync(path);
  database.exec(SCHEMA_V1);
  database.exec(
    "INSERT INTO webhook_endpoints (endpoint, disabled_reason) VALUES ('a', 'gone')",
  );
  database.exec("PRAGMA user_version = 1");
  database.close();
  const store = new SqliteStore({ path });
  assert.deepEqual((await store.stats(Date.now())).disabledEndpoints, [
    { endpoint: "a", reason: "gone" },
  ]);
  assert.equal(await store.enableEndpoint("a"), true);
  assert.deepEqual((await store.stats(Date.now())).disabledEndpoints, []);
  await store.close();
  const reopened = new DatabaseSync(path);
  assert.equal(
    Object.values(reopened.prepare("PRAGMA user_version").get()!)[0],
    2,
  );
  reopened.close();
});
