import assert from "node:assert/strict";
import { DEFAULT_MAX_PAYLOAD_BYTES, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

/** A JSON string payload whose JSON is exactly `bytes` bytes long. */
function payloadOfBytes(bytes: number): string {
  return "x".repeat(bytes - 2);
}

Deno.test("the default limit is 1 MiB", () => {
  assert.equal(DEFAULT_MAX_PAYLOAD_BYTES, 1024 * 1024);
});

Deno.test("deliver() sends a payload of exactly 1 MiB by default", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({ logger: captureLogger() });

  const result = await service.send(server.url, payloadOfBytes(1_048_576));

  assert.equal(result.outcome, "delivered");
  assert.equal(server.requests[0]?.body.length, 1_048_576);
  assert.equal(server.requests[0]?.headers.get("content-length"), "1048576");
});

Deno.test("deliver() sends nothing for a payload one byte over 1 MiB, and logs one error", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  const result = await service.send(server.url, payloadOfBytes(1_048_577));

  assert.equal(result.ok, false);
  assert.equal(result.outcome, "invalid");
  assert.equal(result.error?.kind, "invalid_payload");
  assert.equal(
    result.error?.message,
    "The payload is 1048577 bytes as JSON, more than 'maxPayloadBytes' (1048576)",
  );
  assert.deepEqual(result.attempts, []);
  assert.equal(server.requests.length, 0);
  assert.deepEqual(
    logger.records.map((r) => [r.level, r.fields.outcome, r.fields.errorKind]),
    [["error", "invalid", "invalid_payload"]],
  );
});

Deno.test("maxPayloadBytes counts UTF-8 bytes, not characters", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    maxPayloadBytes: 10,
    logger: captureLogger(),
  });

  // `"éééé"` is 6 characters and 10 bytes; `"ééééé"` is 7 and 12.
  const fits = await service.send(server.url, "éééé");
  const tooLarge = await service.send(server.url, "ééééé");

  assert.equal(fits.outcome, "delivered");
  assert.equal(tooLarge.outcome, "invalid");
  assert.equal(tooLarge.error?.kind, "invalid_payload");
  assert.equal(
    tooLarge.error?.message,
    "The payload is 12 bytes as JSON, more than 'maxPayloadBytes' (10)",
  );
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.body, '"éééé"');
  assert.equal(server.requests[0]?.headers.get("content-length"), "10");
});

Deno.test("a payload of three-byte characters is counted in bytes, not twice its characters", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    maxPayloadBytes: 10,
    logger: captureLogger(),
  });

  // `"€€€"`: 5 UTF-16 code units, 11 bytes of UTF-8.
  const result = await service.send(server.url, "€€€");

  assert.equal(result.outcome, "invalid");
  assert.equal(
    result.error?.message,
    "The payload is 11 bytes as JSON, more than 'maxPayloadBytes' (10)",
  );
  assert.equal(server.requests.length, 0);
});

Deno.test("a payload of characters beyond the BMP fits when its UTF-8 does", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    maxPayloadBytes: 18,
    logger: captureLogger(),
  });

  // `"🎉🎉🎉🎉"`: 10 UTF-16 code units, 18 bytes of UTF-8.
  const result = await service.send(server.url, "🎉🎉🎉🎉");

  assert.equal(result.outcome, "delivered");
  assert.equal(server.requests[0]?.body, '"🎉🎉🎉🎉"');
  assert.equal(server.requests[0]?.headers.get("content-length"), "18");
});

for (const maxPayloadBytes of [0, -1, 1.5, NaN, Infinity, "1024"]) {
  Deno.test(
    `new WebhookDeliveryService() throws a RangeError for maxPayloadBytes ${
      typeof maxPayloadBytes === "string"
        ? JSON.stringify(maxPayloadBytes)
        : maxPayloadBytes
    }`,
    () => {
      assert.throws(
        () =>
          new WebhookDeliveryService({
            maxPayloadBytes: maxPayloadBytes as number,
          }),
        (error) => {
          assert.ok(error instanceof RangeError);
          assert.equal(
            error.message,
            `Cannot create WebhookDeliveryService as 'maxPayloadBytes' must be a positive integer number of bytes: current value is ${
              String(maxPayloadBytes)
            }`,
          );
          return true;
        },
      );
    },
  );
}
