import assert from "node:assert/strict";
import { startStubServer } from "./_stub_server.ts";

Deno.test("the README's Deno example delivers the event and says so", async () => {
  const readme = await Deno.readTextFile(
    new URL("../README.md", import.meta.url),
  );
  const example = /^```ts ignore\n(\/\/ notify\.ts:[^]*?)^```$/m.exec(readme)
    ?.[1];
  assert.ok(example, "README.md has a block that starts with // notify.ts:");
  await using server = startStubServer([{ status: 200 }]);

  // Run from the repository root, where the package's name resolves to it.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-env=WEBHOOK_URL", "-"],
    cwd: new URL("..", import.meta.url),
    env: { WEBHOOK_URL: server.url },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdin = child.stdin.getWriter();
  await stdin.write(new TextEncoder().encode(example));
  await stdin.close();
  const { code, stdout } = await child.output();

  assert.equal(code, 0);
  const [log, said, ...rest] = new TextDecoder().decode(stdout).split("\n");
  assert.equal(JSON.parse(log ?? "").msg, "Webhook delivered");
  assert.equal(said, "delivered");
  assert.deepEqual(rest, [""]);
  assert.deepEqual(JSON.parse(server.requests[0]?.body ?? ""), {
    event_type: "task.completed",
    task_id: "task_42",
  });
});
