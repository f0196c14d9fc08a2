// Signing with Web Crypto and the destination guard, on Node.js, through both
// the ES module build and the CommonJS build.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builds } from "./_package.mjs";
import { startReceiver } from "./_receiver.mjs";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

for (const [build, webhooks] of builds) {
  describe(`signing and the destination guard of the ${build}`, () => {
    it("signs a delivery that WebhookVerifier accepts from node:http's headers", async (t) => {
      const receiver = await startReceiver([200]);
      t.after(() => receiver.close());
      const payload = { event_type: "task.completed", task_id: "task_42" };
      const service = new webhooks.WebhookDeliveryService({
        secret: SECRET,
        logger: webhooks.silentLogger,
      });

      assert.equal(await service.deliver(receiver.url, payload), true);

      const [{ body, headers }] = receiver.requests;
      assert.match(headers["webhook-signature"], /^v1,/);
      const verifier = new webhooks.WebhookVerifier(SECRET);
      assert.deepEqual(await verifier.verify(body, headers), payload);
      await assert.rejects(
        verifier.verify(body.replace("42", "43"), headers),
        (error) => webhooks.isWebhookVerificationError(error),
      );
    });

    it("refuses a private destination without sending anything", async (t) => {
      const receiver = await startReceiver([200]);
      t.after(() => receiver.close());
      const service = new webhooks.WebhookDeliveryService({
        blockPrivateNetworks: true,
        logger: webhooks.silentLogger,
      });

      const result = await service.send(receiver.url, { n: 1 });

      assert.equal(result.outcome, "invalid");
      assert.equal(result.error?.kind, "blocked_destination");
      assert.equal(receiver.requests.length, 0);
    });

    it("refuses a name that resolveHost resolves to a private address, with a caller's signal", async () => {
      const service = new webhooks.WebhookDeliveryService({
        blockPrivateNetworks: true,
        resolveHost: () => Promise.resolve(["10.0.0.7"]),
        logger: webhooks.silentLogger,
      });

      const result = await service.send("http://hooks.test/", { n: 1 }, {
        signal: new AbortController().signal,
      });

      assert.equal(result.outcome, "invalid");
      assert.equal(result.error?.kind, "blocked_destination");
      assert.deepEqual(result.attempts, []);
    });
  });
}
