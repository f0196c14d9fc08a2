import assert from "node:assert/strict";
import { silentLogger, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";

// Bodies that announce a small `content-length` are read in one call; these
// tests check that the shortcut keeps the limits of the read loop.

/** A body of `total` bytes that counts what was pulled and notes a cancel. */
function countedBody(total: number) {
  const chunk = new Uint8Array(16 * 1024).fill(120);
  const seen = { bytes: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.bytes >= total) return controller.close();
      seen.bytes += chunk.length;
      controller.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

for (
  const [what, headers] of [
    [
      "a content coding, which the runtime decodes on the fly",
      { "content-encoding": "gzip" },
    ],
    [
      "a transfer coding, which overrides the length",
      { "transfer-encoding": "chunked" },
    ],
  ] as const
) {
  Deno.test(`a body with a small content-length and ${what} is still cut at 64 KiB`, async () => {
    const { stream, seen } = countedBody(8 * 1024 * 1024);
    const service = new WebhookDeliveryService({
      retryDelaysMs: [],
      logger: silentLogger,
      fetch: () =>
        Promise.resolve(
          new Response(stream, {
            status: 200,
            headers: { "content-length": "20", ...headers },
          }),
        ),
    });

    const result = await service.send("http://127.0.0.1:9/hooks", {});

    assert.equal(result.outcome, "delivered");
    assert.ok(seen.cancelled, "the rest of the body was not cancelled");
    assert.ok(seen.bytes <= 128 * 1024, `read ${seen.bytes} bytes`);
  });
}

Deno.test("a body that stops short of its content-length ends as timeout", async () => {
  // A raw server: it promises 100 bytes, sends 5, and then nothing.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const connection of listener) {
      connections.push(connection);
      await connection.read(new Uint8Array(64 * 1024));
      await connection.write(
        new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhello",
        ),
      );
    }
  })();
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    timeoutMs: 200,
    retryDelaysMs: [],
    logger,
  });

  try {
    const result = await service.send(
      `http://127.0.0.1:${listener.addr.port}/hooks`,
      { event_type: "task.completed" },
    );

    assert.equal(result.ok, false);
    assert.equal(result.outcome, "exhausted");
    assert.equal(result.attempts[0]?.error?.kind, "timeout");
    assert.equal(result.attempts[0]?.status, undefined);
  } finally {
    listener.close();
    for (const connection of connections) connection.close();
    await serving.catch(() => {});
  }
});

Deno.test("a short body with a content-length is logged as an excerpt", async () => {
  const body = "x".repeat(3_000);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    retryDelaysMs: [],
    logger,
    fetch: () =>
      Promise.resolve(
        new Response(body, {
          status: 500,
          headers: { "content-length": String(body.length) },
        }),
      ),
  });

  await service.send("http://127.0.0.1:9/hooks", {});

  assert.equal(logger.records[0]?.fields.responseExcerpt, "x".repeat(500));
});
