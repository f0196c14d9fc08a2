import assert from "node:assert/strict";
import {
  silentLogger,
  WebhookDeliveryService,
  type WebhookHeaders,
  WebhookVerifier,
} from "../mod.ts";
import { decodeSecrets, importHmacKeys } from "../src/_shared/_secret.ts";
import { signatureHeader, signedContent } from "../src/_shared/_signature.ts";
import { captureLogger } from "./_capture_logger.ts";
import { useFakeTime } from "./_fake_time.ts";
import { clockAt, OTHER_SECRET, VECTORS } from "./_signing.ts";
import { startStubServer } from "./_stub_server.ts";

const [FIRST, SECOND] = VECTORS;

function headersOf(request: { headers: Headers }): WebhookHeaders {
  return request.headers;
}

Deno.test("send() signs the Standard Webhooks known-answer vector byte for byte", async () => {
  await using server = startStubServer([{ status: 204 }]);
  using clock = useFakeTime();
  clock.setSystemTime(SECOND.timestamp * 1_000 + 999);
  const service = new WebhookDeliveryService({
    secret: SECOND.secret,
    logger: silentLogger,
  });

  const result = await service.send(
    server.url,
    { email: "test@example.com", username: "test_user" },
    { id: SECOND.id },
  );

  assert.equal(result.outcome, "delivered");
  const [request] = server.requests;
  assert.equal(request?.body, SECOND.body);
  assert.equal(request?.headers.get("webhook-id"), SECOND.id);
  assert.equal(
    request?.headers.get("webhook-timestamp"),
    String(SECOND.timestamp),
  );
  assert.equal(request?.headers.get("webhook-signature"), SECOND.signature);
});

Deno.test("the signing of the known-answer vector whose body has a space", async () => {
  const keys = await importHmacKeys(
    decodeSecrets(FIRST.secret, {
      owner: "test",
      name: "secret",
      minBytes: 24,
    }),
    "sign",
  );
  const content = signedContent(
    FIRST.id,
    String(FIRST.timestamp),
    new TextEncoder().encode(FIRST.body),
  );

  assert.equal(await signatureHeader(keys, content), FIRST.signature);
});

Deno.test("a service without a secret sends neither webhook-timestamp nor webhook-signature", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({ logger: silentLogger });

  await service.deliver(server.url, { a: 1 });

  const headers = server.requests[0]?.headers;
  assert.equal(headers?.has("webhook-id"), true);
  assert.equal(headers?.has("webhook-timestamp"), false);
  assert.equal(headers?.has("webhook-signature"), false);
});

Deno.test("send() signs the exact bytes it sends, multi-byte characters included", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const secret = SECOND.secret;
  const service = new WebhookDeliveryService({ secret, logger: silentLogger });
  const payload = { note: "Grüße, 世界 🎉", escaped: "\u2028\ud800" };

  await service.deliver(server.url, payload);

  const [request] = server.requests;
  assert.ok(request);
  assert.equal(request.body, JSON.stringify(payload));
  const verifier = new WebhookVerifier(secret);
  assert.deepEqual(
    await verifier.verify(request.body, headersOf(request)),
    payload,
  );
});

Deno.test("with two secrets every request carries two signatures, and a receiver knowing either accepts", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    secret: [FIRST.secret, SECOND.secret],
    logger: silentLogger,
  });

  await service.deliver(server.url, { event_type: "task.completed" });

  const [request] = server.requests;
  assert.ok(request);
  const entries = request.headers.get("webhook-signature")?.split(" ") ?? [];
  assert.equal(entries.length, 2);
  assert.ok(entries.every((entry) => /^v1,[A-Za-z0-9+/]{43}=$/.test(entry)));
  for (const secret of [FIRST.secret, SECOND.secret]) {
    const verifier = new WebhookVerifier(secret);
    assert.deepEqual(
      await verifier.verify(request.body, headersOf(request)),
      { event_type: "task.completed" },
    );
  }
  await assert.rejects(
    new WebhookVerifier(OTHER_SECRET).verify(request.body, headersOf(request)),
    { reason: "no_matching_signature" },
  );
});

Deno.test("each retry carries its own timestamp and signature, and the same webhook-id", async () => {
  await using server = startStubServer([
    { status: 500 },
    { status: 503 },
    { status: 200 },
  ]);
  using clock = useFakeTime();
  const startSeconds = Math.floor(Date.now() / 1_000);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    secret: FIRST.secret,
    retryDelaysMs: [1_000, 2_000],
    logger,
  });

  const delivery = service.send(server.url, { n: 1 }, { id: "evt_retried" });
  await logger.waitForRecords(1);
  await clock.tickAsync(1_000);
  await server.waitForRequests(2);
  await logger.waitForRecords(2);
  await clock.tickAsync(2_000);
  const result = await delivery;

  assert.equal(result.outcome, "delivered");
  const requests = server.requests;
  assert.equal(requests.length, 3);
  assert.deepEqual(
    requests.map((r) => r.headers.get("webhook-id")),
    ["evt_retried", "evt_retried", "evt_retried"],
  );
  const timestamps = requests.map((r) =>
    Number(r.headers.get("webhook-timestamp"))
  );
  assert.deepEqual(timestamps, [
    startSeconds,
    startSeconds + 1,
    startSeconds + 3,
  ]);
  const signatures = new Set(
    requests.map((r) => r.headers.get("webhook-signature")),
  );
  assert.equal(signatures.size, 3);
  // With no tolerance at all, each attempt verifies only at its own second.
  for (const [index, request] of requests.entries()) {
    const verifier = new WebhookVerifier(FIRST.secret, {
      toleranceSeconds: 0,
      now: clockAt(timestamps[index] ?? 0),
    });
    assert.deepEqual(
      await verifier.verify(request.body, headersOf(request)),
      { n: 1 },
    );
  }
});

Deno.test("the service imports each secret's key once, not per attempt", async () => {
  await using server = startStubServer([{ status: 500 }, { status: 500 }, {
    status: 200,
  }]);
  const subtle = crypto.subtle;
  const importKey = subtle.importKey;
  let imports = 0;
  subtle.importKey = function (...args: Parameters<typeof importKey>) {
    imports++;
    return importKey.apply(subtle, args);
  } as typeof importKey;
  try {
    const service = new WebhookDeliveryService({
      secret: [FIRST.secret, SECOND.secret],
      retryDelaysMs: [0, 0],
      logger: silentLogger,
    });
    assert.equal(imports, 2);

    await service.deliver(server.url, {});
    await service.deliver(server.url, {});

    assert.equal(server.requests.length, 4);
    assert.equal(imports, 2);
  } finally {
    subtle.importKey = importKey;
  }
});

const badSecrets: [string, unknown, RegExp][] = [
  ["an empty secret", "", /'secret' is empty$/],
  [
    "a secret without the whsec_ prefix",
    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    /'secret' must start with 'whsec_' followed by base64$/,
  ],
  ["a prefix alone", "whsec_", /'secret' holds no key after 'whsec_'$/],
  [
    "a secret that is not base64",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS*",
    /'secret' is not valid base64 after 'whsec_'$/,
  ],
  [
    "a secret shorter than 24 bytes",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZI",
    /'secret' must decode to at least 24 bytes: it decodes to 18$/,
  ],
  ["an empty array", [], /'secret' holds no secret$/],
  [
    "a bad secret in an array",
    [
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ],
    /'secret\[1\]' must start with 'whsec_'/,
  ],
  [
    "a key as bytes",
    new Uint8Array(32),
    /'secret' must be a 'whsec_' secret string: current value is of type object$/,
  ],
];

for (const [name, secret, message] of badSecrets) {
  Deno.test(`new WebhookDeliveryService() throws a TypeError for ${name}, without printing it`, () => {
    assert.throws(
      () => new WebhookDeliveryService({ secret: secret as string }),
      (error) => {
        assert.ok(error instanceof TypeError);
        assert.match(
          error.message,
          /^Cannot create WebhookDeliveryService as /,
        );
        assert.match(error.message, message);
        assert.ok(!error.message.includes("MfKQ9r8G"));
        return true;
      },
    );
  });
}

Deno.test("a signing failure ends the delivery as invalid_secret instead of rejecting", async () => {
  await using server = startStubServer();
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    logger,
  });
  const sign = crypto.subtle.sign;
  crypto.subtle.sign = () => Promise.reject(new Error("no HMAC here"));
  let result;
  try {
    result = await service.send(server.url, {});
  } finally {
    crypto.subtle.sign = sign;
  }

  assert.equal(result.outcome, "invalid");
  assert.equal(result.error?.kind, "invalid_secret");
  assert.match(result.error?.message ?? "", /no HMAC here/);
  assert.equal(server.requests.length, 0);
  assert.deepEqual(logger.records.map((r) => r.fields.errorKind), [
    "invalid_secret",
  ]);
});
