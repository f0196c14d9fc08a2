// The Node.js examples of the README that ships in the package run as they
// are written, as an ES module and as CommonJS.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { NAME } from "./_package.mjs";
import { startReceiver } from "./_receiver.mjs";

const run = promisify(execFile);

const readme = readFileSync(
  new URL(`./node_modules/${NAME}/README.md`, import.meta.url),
  "utf8",
);
// A block of the README that starts with the name of its file: `// notify.mjs: …`
const examples = [
  ...readme.matchAll(/^```js[^\n]*\n(\/\/ (\S+\.[cm]js):[^]*?)^```$/gm),
].map(([, code, file]) => ({ code, file }));

describe("the README's Node.js examples", () => {
  it("are an ES module and a CommonJS module", () => {
    assert.deepEqual(examples.map((example) => example.file), [
      "notify.mjs",
      "notify.cjs",
    ]);
  });

  for (const { code, file } of examples) {
    it(`${file} delivers the event and says so`, async (t) => {
      const receiver = await startReceiver([200]);
      t.after(() => receiver.close());
      const dir = new URL("readme_examples/", import.meta.url);
      mkdirSync(dir, { recursive: true });
      const path = fileURLToPath(new URL(file, dir));
      writeFileSync(path, code);

      const { stdout } = await run(process.execPath, [path], {
        env: { ...process.env, WEBHOOK_URL: receiver.url },
      });

      const [log, said, ...rest] = stdout.split("\n");
      assert.equal(JSON.parse(log).msg, "Webhook delivered");
      assert.equal(said, "delivered");
      assert.deepEqual(rest, [""]);
      assert.deepEqual(JSON.parse(receiver.requests[0].body), {
        event_type: "task.completed",
        task_id: "task_42",
      });
    });
  }
});
