// Deliveries to a real node:http receiver on 127.0.0.1, through both the ES
// module build and the CommonJS build, on the Node.js running the suite.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builds, installedPackageJson } from "./_package.mjs";
import { closedPort, startReceiver } from "./_receiver.mjs";

for (const [build, webhooks] of builds) {
  describe(`the ${build}`, () => {
    // Retries without waiting keep the suite fast; the schedule itself is
    // tested with fake time in the Deno suite.
    const service = (options = {}) =>
      new webhooks.WebhookDeliveryService({
        retryDelaysMs: [0, 0],
        logger: webhooks.silentLogger,
        ...options,
      });

    it("deliver() resolves true for a 200, sending the payload as JSON", async (t) => {
      const receiver = await startReceiver([200]);
      t.after(() => receiver.close());
      const payload = { event_type: "task.completed", task_id: "task_42" };

      const ok = await service().deliver(receiver.url, payload);

      assert.equal(ok, true);
      assert.equal(receiver.requests.length, 1);
      const [request] = receiver.requests;
      assert.equal(request.method, "POST");
      assert.deepEqual(JSON.parse(request.body), payload);
      assert.equal(request.headers["content-type"], "application/json");
      assert.equal(
        request.headers["user-agent"],
        `omoi-webhook-delivery/${installedPackageJson.version}`,
      );
      assert.ok(request.headers["webhook-id"]);
    });

    it("deliver() retries 500, 500 and resolves true on the 200, with one webhook-id", async (t) => {
      const receiver = await startReceiver([500, 500, 200]);
      t.after(() => receiver.close());

      const ok = await service().deliver(receiver.url, { n: 1 });

      assert.equal(ok, true);
      assert.equal(receiver.requests.length, 3);
      const ids = new Set(
        receiver.requests.map((request) => request.headers["webhook-id"]),
      );
      assert.equal(ids.size, 1);
    });

    it("deliver() resolves false after one request for a 404", async (t) => {
      const receiver = await startReceiver([404]);
      t.after(() => receiver.close());

      const ok = await service().deliver(receiver.url, { n: 1 });

      assert.equal(ok, false);
      assert.equal(receiver.requests.length, 1);
    });

    it("send() ends every attempt in a timeout when the receiver never answers", async (t) => {
      const receiver = await startReceiver(["hang"]);
      t.after(() => receiver.close());

      const result = await service({ timeoutMs: 200, retryDelaysMs: [0] })
        .send(receiver.url, { n: 1 });

      assert.equal(result.ok, false);
      assert.equal(result.outcome, "exhausted");
      assert.deepEqual(
        result.attempts.map((attempt) => attempt.error?.kind),
        ["timeout", "timeout"],
      );
      assert.equal(receiver.requests.length, 2);
    });

    for (const reply of ["stall", "stall-chunked"]) {
      it(`send() ends an attempt whose body stalls after the headers in a timeout (${reply})`, async (t) => {
        const receiver = await startReceiver([reply]);
        t.after(() => receiver.close());

        const result = await service({ timeoutMs: 200, retryDelaysMs: [0] })
          .send(receiver.url, { n: 1 });

        assert.equal(result.outcome, "exhausted");
        assert.deepEqual(
          result.attempts.map((
            attempt,
          ) => [attempt.status, attempt.error?.kind]),
          [[undefined, "timeout"], [undefined, "timeout"]],
        );
        assert.equal(receiver.requests.length, 2);
      });
    }

    // A caller's signal is joined with the per-attempt timeout by hand:
    // AbortSignal.any would need Node.js 20.3.
    it("deliver() with a caller's signal that never fires resolves true", async (t) => {
      const receiver = await startReceiver([200]);
      t.after(() => receiver.close());

      const ok = await service().deliver(receiver.url, { n: 1 }, {
        signal: new AbortController().signal,
      });

      assert.equal(ok, true);
    });

    it("send() ends in aborted when the caller's signal fires during a request", async (t) => {
      const receiver = await startReceiver(["hang"]);
      t.after(() => receiver.close());

      const result = await service({ timeoutMs: 10_000 }).send(
        receiver.url,
        { n: 1 },
        { signal: AbortSignal.timeout(200) },
      );

      assert.equal(result.outcome, "aborted");
      assert.deepEqual(
        result.attempts.map((attempt) => attempt.error?.kind),
        ["aborted"],
      );
    });

    it("deliver() resolves false when the connection is refused", async () => {
      const url = `http://127.0.0.1:${await closedPort()}/hooks`;

      assert.equal(await service().deliver(url, { n: 1 }), false);
      const result = await service().send(url, { n: 1 });
      assert.equal(result.outcome, "exhausted");
      assert.deepEqual(
        result.attempts.map((attempt) => attempt.error?.kind),
        ["connection_refused", "connection_refused", "connection_refused"],
      );
    });
  });
}
