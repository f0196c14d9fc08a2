import assert from "node:assert/strict";

Deno.test("the demo delivers on the third attempt and prints three JSON log lines", async () => {
  const demo = new URL("../examples/demo.ts", import.meta.url);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", demo.pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(stdout).split("\n");

  assert.equal(code, 0);
  const records = lines.filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line)
  );
  assert.deepEqual(records.map((r) => [r.level, r.attempt, r.status]), [
    ["warn", 1, 503],
    ["warn", 2, 503],
    ["info", 3, 200],
  ]);
  assert.deepEqual(records.map((r) => r.retryInMs), [1_000, 2_000, undefined]);
  assert.ok(
    lines.some((line) => line.includes('"event_type": "task.completed"')),
  );
});
