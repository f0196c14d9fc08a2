import assert from "node:assert/strict";
import { UsageError } from "../../src/cli/_args.ts";
import { loadPg } from "../../src/cli/_open_store.ts";

class FakePool {}

Deno.test("--postgres loads pg as the project has it, else npm:pg@^8", async () => {
  const tried: string[] = [];
  const pg = await loadPg((specifier) => {
    tried.push(specifier);
    return specifier === "pg"
      ? Promise.reject(new Error("Cannot find package 'pg'"))
      : Promise.resolve({ default: { Pool: FakePool } });
  });
  assert.equal(pg.Pool, FakePool);
  assert.deepEqual(tried, ["pg", "npm:pg@^8"]);
});

Deno.test("--postgres without pg anywhere is a usage error saying to install it", async () => {
  await assert.rejects(
    loadPg(() => Promise.reject(new Error("not found"))),
    (error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /install pg \(npm install pg\)/);
      return true;
    },
  );
});
