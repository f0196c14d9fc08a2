// The receiver's entry point, `@omoi/webhook-delivery/verify`, loads by name
// through `import` and `require`, verifies what the sender signs, and does
// not load the sender.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as main from "@omoi/webhook-delivery";
import * as verify from "@omoi/webhook-delivery/verify";
import { NAME, require } from "./_package.mjs";

const run = promisify(execFile);
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** The headers and body a signing sender puts on the wire. */
async function signedRequest(payload) {
  const sent = [];
  const sender = new main.WebhookDeliveryService({
    secret: SECRET,
    logger: main.silentLogger,
    fetch: (_url, init) => {
      sent.push(init);
      return Promise.resolve(new Response(null, { status: 204 }));
    },
  });
  assert.equal(
    await sender.deliver("https://receiver.test/hooks", payload),
    true,
  );
  const [{ headers, body }] = sent;
  return { headers, body: new TextDecoder().decode(body) };
}

for (
  const [build, module] of [
    ["import", verify],
    ["require", require(`${NAME}/verify`)],
  ]
) {
  describe(`"${NAME}/verify" through ${build}`, () => {
    it("exports the verifier, its error and its guard, and nothing of the sender", () => {
      assert.deepEqual(Object.keys(module).sort(), [
        "WebhookVerificationError",
        "WebhookVerifier",
        "isWebhookVerificationError",
      ]);
    });

    it("verifies a signed delivery and refuses a changed body", async () => {
      const payload = { event_type: "task.completed", task_id: "task_42" };
      const { headers, body } = await signedRequest(payload);
      const verifier = new module.WebhookVerifier(SECRET);

      assert.deepEqual(await verifier.verify(body, headers), payload);
      await assert.rejects(
        verifier.verify(body.replace("42", "43"), headers),
        (error) =>
          module.isWebhookVerificationError(error) &&
          error.reason === "no_matching_signature",
      );
    });
  });
}

describe(`"${NAME}/verify" on disk`, () => {
  it("resolves to the builds' src/verify/mod.js", () => {
    assert.match(
      require.resolve(`${NAME}/verify`),
      /[/\\]cjs[/\\]src[/\\]verify[/\\]mod\.js$/,
    );
  });

  it("loads no module of the sender when required alone", async () => {
    const child = fileURLToPath(new URL("_verify_child.cjs", import.meta.url));
    const { stdout } = await run(process.execPath, [child]);
    const loaded = JSON.parse(stdout);

    assert.ok(loaded.includes("cjs/src/verify/mod.js"), stdout);
    for (const path of loaded) {
      assert.match(path, /^cjs\/src\/(verify|_shared)\//, path);
    }
  });
});
