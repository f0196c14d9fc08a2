// The durable queue from the installed package: MemoryStore on every
// runtime, SqliteStore where node:sqlite exists (Node.js ≥ 22.5, Bun), with
// a producer killed by SIGKILL whose every confirmed id is then delivered.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { builds } from "./_package.mjs";
import { startReceiver } from "./_receiver.mjs";

const hasSqlite = await import("node:sqlite").then(() => true, () => false);
const eventually = async (check) => {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, "timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

for (const [build, webhooks] of builds) {
  describe(`the queue of the ${build}`, () => {
    it("delivers an enqueued message in the background and records it", async (t) => {
      const receiver = await startReceiver([204]);
      t.after(() => receiver.close());
      const queue = new webhooks.WebhookQueue({
        logger: webhooks.silentLogger,
      });
      t.after(() => queue.close());
      queue.start();
      const { id } = await queue.enqueue(receiver.url, {
        event_type: "task.completed",
      });
      await eventually(async () =>
        (await queue.get(id))?.status === "delivered"
      );
      assert.equal(receiver.requests[0].headers["webhook-id"], id);
    });

    it("rejects invalid input with a TypeError and stores nothing", async () => {
      const queue = new webhooks.WebhookQueue({
        logger: webhooks.silentLogger,
      });
      await assert.rejects(queue.enqueue("ftp://example.test/", {}), TypeError);
      assert.equal((await queue.stats()).pending, 0);
      await queue.close();
    });
  });
}

describe("SqliteStore from @omoi/webhook-delivery/sqlite", () => {
  if (!hasSqlite) {
    it("says what it needs where node:sqlite is missing", async () => {
      const { SqliteStore } = await import("@omoi/webhook-delivery/sqlite");
      const store = new SqliteStore({ path: join(tmpdir(), "never.db") });
      await assert.rejects(
        store.stats(Date.now()),
        /SqliteStore needs node:sqlite/,
      );
    });
    return;
  }

  it("delivers every id a SIGKILLed producer confirmed", async (t) => {
    const receiver = await startReceiver([204]);
    t.after(() => receiver.close());
    const path = join(mkdtempSync(join(tmpdir(), "queue-")), "webhooks.db");
    const child = (...args) =>
      spawn(process.execPath, ["_queue_child.mjs", ...args], {
        stdio: ["ignore", "pipe", "ignore"],
      });

    const producer = child("produce", path, receiver.url);
    const stored = [];
    let buffered = "";
    producer.stdout.setEncoding("utf8");
    producer.stdout.on("data", (chunk) => {
      const lines = (buffered + chunk).split("\n");
      buffered = lines.pop();
      for (const line of lines) stored.push(line.slice("stored ".length));
      if (stored.length >= 200) producer.kill("SIGKILL");
    });
    await once(producer, "exit");
    assert.ok(stored.length >= 200);

    const finisher = child("finish", path);
    const [code] = await once(finisher, "exit");
    assert.equal(code, 0);
    const arrived = new Set(
      receiver.requests.map((r) => r.headers["webhook-id"]),
    );
    assert.deepEqual(stored.filter((id) => !arrived.has(id)), []);
  });
});
