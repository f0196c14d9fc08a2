import assert from "node:assert/strict";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import {
  silentLogger,
  WebhookDeliveryService,
  WebhookVerifier,
} from "../mod.ts";
import { clockAt, OTHER_SECRET, vectorHeaders, VECTORS } from "./_signing.ts";
import { startStubServer } from "./_stub_server.ts";

// The official JavaScript library of Standard Webhooks, as a receiver and as
// a sender: what one side signs, the other must accept.

const [FIRST, SECOND] = VECTORS;

Deno.test("the standardwebhooks package verifies what the service sends through a real server", async () => {
  await using server = startStubServer([{ status: 500 }, { status: 200 }]);
  const service = new WebhookDeliveryService({
    secret: FIRST.secret,
    retryDelaysMs: [0],
    logger: silentLogger,
  });
  const payload = { event_type: "task.completed", task_id: "task_42", n: 1.5 };

  const ok = await service.deliver(server.url, payload, { id: "evt_interop" });

  assert.equal(ok, true);
  assert.equal(server.requests.length, 2);
  const receiver = new Webhook(FIRST.secret);
  for (const request of server.requests) {
    const headers = Object.fromEntries(request.headers);
    assert.deepEqual(receiver.verify(request.body, headers), payload);
  }
});

Deno.test("the standardwebhooks package accepts either signature of a rotating service", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    secret: [FIRST.secret, SECOND.secret],
    logger: silentLogger,
  });

  await service.deliver(server.url, { rotated: true });

  const [request] = server.requests;
  assert.ok(request);
  const headers = Object.fromEntries(request.headers);
  for (const secret of [FIRST.secret, SECOND.secret]) {
    assert.deepEqual(new Webhook(secret).verify(request.body, headers), {
      rotated: true,
    });
  }
  assert.throws(
    () => new Webhook(OTHER_SECRET).verify(request.body, headers),
    WebhookVerificationError,
  );
});

Deno.test("the standardwebhooks package rejects what the service sent once the body is changed", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    secret: FIRST.secret,
    logger: silentLogger,
  });

  await service.deliver(server.url, { amount: 10 });

  const [request] = server.requests;
  assert.ok(request);
  const headers = Object.fromEntries(request.headers);
  // Accepted as sent, so that the refusal below is the change's doing.
  assert.deepEqual(new Webhook(FIRST.secret).verify(request.body, headers), {
    amount: 10,
  });
  assert.throws(
    () =>
      new Webhook(FIRST.secret).verify(
        '{"amount":1000}',
        headers,
      ),
    WebhookVerificationError,
  );
});

Deno.test("WebhookVerifier accepts what the standardwebhooks package signs", async () => {
  const sender = new Webhook(SECOND.secret);
  const body = JSON.stringify({ event_type: "agent.stuck", agent_id: "a_7" });
  const now = new Date();
  const headers = {
    "webhook-id": "msg_from_library",
    "webhook-timestamp": String(Math.floor(now.getTime() / 1_000)),
    "webhook-signature": sender.sign("msg_from_library", now, body),
  };

  const payload = await new WebhookVerifier(SECOND.secret).verify(
    body,
    headers,
  );

  assert.deepEqual(payload, { event_type: "agent.stuck", agent_id: "a_7" });
});

Deno.test("WebhookVerifier and the standardwebhooks package agree on the known-answer vectors", async () => {
  for (const vector of VECTORS) {
    assert.equal(
      new Webhook(vector.secret).sign(
        vector.id,
        new Date(vector.timestamp * 1_000),
        vector.body,
      ),
      vector.signature,
    );
    const verifier = new WebhookVerifier(vector.secret, {
      now: clockAt(vector.timestamp),
    });
    assert.deepEqual(
      await verifier.verify(vector.body, vectorHeaders(vector)),
      JSON.parse(vector.body),
    );
  }
});

Deno.test("WebhookVerifier rejects what the standardwebhooks package signed ten minutes ago, or with another secret", async () => {
  const body = "{}";
  const then = new Date(Date.now() - 600_000);
  const signedThen = {
    "webhook-id": "msg_old",
    "webhook-timestamp": String(Math.floor(then.getTime() / 1_000)),
    "webhook-signature": new Webhook(FIRST.secret).sign("msg_old", then, body),
  };
  const now = new Date();
  const signedByStranger = {
    "webhook-id": "msg_stranger",
    "webhook-timestamp": String(Math.floor(now.getTime() / 1_000)),
    "webhook-signature": new Webhook(OTHER_SECRET).sign(
      "msg_stranger",
      now,
      body,
    ),
  };
  const verifier = new WebhookVerifier(FIRST.secret);

  await assert.rejects(verifier.verify(body, signedThen), {
    reason: "timestamp_too_old",
  });
  await assert.rejects(verifier.verify(body, signedByStranger), {
    reason: "no_matching_signature",
  });
});
