import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import * as main from "../mod.ts";
import * as verify from "../src/verify/mod.ts";

/** The local modules a module loads, as paths relative to the repository. */
async function localGraph(module: string): Promise<string[]> {
  const root = new URL("..", import.meta.url);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", module],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(code, 0, `deno info --json ${module}`);
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules
    .map((entry) => entry.specifier)
    .filter((specifier) => specifier.startsWith(root.href))
    .map((specifier) => specifier.slice(root.href.length))
    .sort();
}

Deno.test("deno.json exports the verifier as ./verify beside the main entry point", () => {
  assert.equal(denoJson.exports["."], "./mod.ts");
  assert.equal(denoJson.exports["./verify"], "./src/verify/mod.ts");
});

Deno.test("importing ./src/verify/mod.ts loads the verifier and src/_shared, never src/send or src/log", async () => {
  const graph = await localGraph("src/verify/mod.ts");

  assert.ok(graph.includes("src/verify/webhook_verifier.ts"), graph.join());
  for (const path of graph) {
    assert.match(path, /^src\/(verify|_shared)\//, path);
  }
});

Deno.test("the ./verify entry point exports the same verifier values as the main one", () => {
  assert.deepEqual(Object.keys(verify).sort(), [
    "WebhookVerificationError",
    "WebhookVerifier",
    "isWebhookVerificationError",
  ]);
  for (const [name, value] of Object.entries(verify)) {
    assert.equal(main[name as keyof typeof main], value, name);
  }
});
