import assert from "node:assert/strict";
import { silentLogger, WebhookDeliveryService } from "../mod.ts";
import { isSmallPlainBody } from "../src/send/_response_body.ts";
import { captureLogger } from "./_capture_logger.ts";

// With the runtime's own fetch, bodies that announce a small `content-length`
// are read in one call; these tests check that the shortcut is taken only when
// safe and keeps the limits of the read loop.

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

const shortcutCases: [string, Record<string, string>, boolean][] = [
  ["a small content-length", { "content-length": "20" }, true],
  ["exactly 64 KiB", { "content-length": "65536" }, true],
  ["more than 64 KiB", { "content-length": "65537" }, false],
  ["no content-length", {}, false],
  ["a content-length that is not a number", { "content-length": "2e3" }, false],
  ["identity coding", {
    "content-length": "20",
    "content-encoding": "identity",
  }, true],
  // The runtime decodes these on the fly: the bytes read can be far more.
  ["a content coding", {
    "content-length": "20",
    "content-encoding": "gzip",
  }, false],
  ["a transfer coding", {
    "content-length": "20",
    "transfer-encoding": "chunked",
  }, false],
];

for (const [what, headers, shortcut] of shortcutCases) {
  Deno.test(
    `a response with ${what} ${shortcut ? "is" : "is not"} read in one call`,
    () => {
      assert.equal(isSmallPlainBody(new Headers(headers)), shortcut);
    },
  );
}

Deno.test("a custom fetch's body is capped at 64 KiB whatever its content-length says", async () => {
  const { stream, seen } = countedBody(64 * 1024 * 1024);
  const service = new WebhookDeliveryService({
    retryDelaysMs: [],
    logger: silentLogger,
    // A custom fetch is not trusted to hold its body to its length.
    fetch: () =>
      Promise.resolve(
        new Response(stream, { headers: { "content-length": "20" } }),
      ),
  });

  const result = await service.send("http://127.0.0.1:9/hooks", {});

  assert.equal(result.outcome, "delivered");
  assert.ok(seen.cancelled, "the rest of the body was not cancelled");
  assert.ok(seen.bytes <= 128 * 1024, `read ${seen.bytes} bytes`);
});

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
