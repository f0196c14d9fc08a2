// The default logger prints one JSON object per line on Node.js too, seen
// from outside: the standard output of a program that delivers.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startReceiver } from "./_receiver.mjs";

const run = promisify(execFile);

describe("the default logger", () => {
  for (const child of ["_log_child.mjs", "_log_child.cjs"]) {
    it(`prints one JSON object per attempt, one per line (${child})`, async (t) => {
      const receiver = await startReceiver([500, 500, 200]);
      t.after(() => receiver.close());

      const { stdout, stderr } = await run(process.execPath, [
        fileURLToPath(new URL(child, import.meta.url)),
        receiver.url,
      ]);

      assert.equal(stderr, "");
      assert.ok(stdout.endsWith("\n"), "the output ends with a newline");
      const lines = stdout.slice(0, -1).split("\n");
      assert.equal(lines.length, 3, stdout);
      const records = lines.map((line) => JSON.parse(line));
      for (const record of records) {
        assert.equal(typeof record, "object");
        assert.deepEqual(Object.keys(record).slice(0, 4), [
          "time",
          "level",
          "logger",
          "msg",
        ]);
        assert.equal(new Date(record.time).toISOString(), record.time);
        assert.equal(record.logger, "webhook-delivery");
        assert.equal(record.url, receiver.url);
        assert.equal(record.webhookId, records[0].webhookId);
      }
      assert.deepEqual(
        records.map((record) => [record.level, record.attempt, record.status]),
        [["warn", 1, 500], ["warn", 2, 500], ["info", 3, 200]],
      );
    });
  }
});
