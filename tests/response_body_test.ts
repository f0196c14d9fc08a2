import assert from "node:assert/strict";
import { WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer, type StubServer } from "./_stub_server.ts";

/** Waits, up to 5 s, for the stub to see its streamed body cancelled. */
async function cancelledBody(server: StubServer): Promise<boolean> {
  for (let i = 0; i < 500 && !server.streamed.cancelled; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return server.streamed.cancelled;
}

Deno.test("an endless 500 body is cut short: the attempt ends with its status, not a timeout", async () => {
  await using server = startStubServer([{
    status: 500,
    streamBytes: Infinity,
  }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    retryDelaysMs: [],
    // Reading the body to its end would end in this timeout.
    timeoutMs: 5_000,
    logger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.status, 500);
  assert.equal(result.attempts[0]?.error, undefined);
  const excerpt = logger.records[0]?.fields.responseExcerpt;
  assert.equal(typeof excerpt, "string");
  assert.equal((excerpt as string).length, 500);
  // The client cancelled the body: the server sent a bounded amount (what
  // fits in socket buffers), not the endless stream it offered.
  assert.ok(await cancelledBody(server), "the body was cancelled");
  assert.ok(
    server.streamed.bytes < 32 * 1024 * 1024,
    `sent ${server.streamed.bytes}`,
  );
});

Deno.test("a 64 MiB 503 body is cancelled, not read, and the delivery retried", async () => {
  const size = 64 * 1024 * 1024;
  await using server = startStubServer([
    { status: 503, streamBytes: size },
    { status: 200 },
  ]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "delivered");
  assert.deepEqual(result.attempts.map((a) => a.status), [503, 200]);
  const excerpt = logger.records[0]?.fields.responseExcerpt;
  assert.equal(typeof excerpt, "string");
  assert.ok((excerpt as string).length <= 500);
  assert.ok(await cancelledBody(server), "the body was cancelled");
  assert.ok(server.streamed.bytes < size / 2, `sent ${server.streamed.bytes}`);
});

Deno.test("a failed response's body is logged as an excerpt of at most 500 characters", async () => {
  await using server = startStubServer([
    { status: 422, body: JSON.stringify({ error: "unknown event_type" }) },
    { status: 400, body: "é".repeat(3_000) },
  ]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  await service.send(server.url, {});
  await service.send(server.url, {});

  assert.equal(
    logger.records[0]?.fields.responseExcerpt,
    '{"error":"unknown event_type"}',
  );
  assert.equal(logger.records[1]?.fields.responseExcerpt, "é".repeat(500));
});

Deno.test("a failed attempt keeps its response's excerpt; a delivered one and an empty body add none", async () => {
  await using server = startStubServer([
    { status: 503, body: "overloaded, retry later" },
    { status: 503 },
    { status: 200, body: "thanks" },
  ]);
  const service = new WebhookDeliveryService({
    logger: captureLogger(),
    retryDelaysMs: [0, 0],
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "delivered");
  assert.deepEqual(
    result.attempts.map((attempt) => attempt.responseExcerpt),
    ["overloaded, retry later", undefined, undefined],
  );
  assert.ok(!("responseExcerpt" in result.attempts[1]!));
});

Deno.test("a delivered response's body is not logged", async () => {
  await using server = startStubServer([{ status: 200, body: "thanks" }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger });

  await service.send(server.url, {});

  assert.equal(logger.records[0]?.level, "info");
  assert.equal(logger.records[0]?.fields.responseExcerpt, undefined);
});

Deno.test("a custom fetch cannot change what a later attempt sends", async () => {
  const seen: Record<string, string>[] = [];
  const service = new WebhookDeliveryService({
    retryDelaysMs: [0],
    logger: captureLogger(),
    fetch: (_url, init) => {
      const headers = init.headers as Record<string, string>;
      seen.push({ ...headers });
      headers["x-attempt"] = "tampered";
      return Promise.resolve(
        new Response(null, { status: seen.length === 1 ? 503 : 204 }),
      );
    },
  });

  const result = await service.send("http://127.0.0.1:9/hook", {});

  assert.equal(result.outcome, "delivered");
  assert.equal(seen.length, 2);
  assert.equal(seen[1]?.["x-attempt"], undefined);
});

Deno.test("a custom fetch receives what README promises: a POST with a record of headers and the JSON as UTF-8 bytes", async () => {
  const calls: [string, RequestInit][] = [];
  const service = new WebhookDeliveryService({
    logger: captureLogger(),
    fetch: (url, init) => {
      calls.push([url, init]);
      return Promise.resolve(new Response(null, { status: 204 }));
    },
  });

  const result = await service.send("http://127.0.0.1:9/hook", { note: "é" });

  assert.equal(result.outcome, "delivered");
  const [url, init] = calls[0] ?? [];
  assert.equal(url, "http://127.0.0.1:9/hook");
  assert.equal(init?.method, "POST");
  assert.equal(init?.redirect, "manual");
  assert.ok(init?.signal instanceof AbortSignal);
  assert.ok(init?.body instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(init.body), '{"note":"é"}');
  const headers = init.headers as Record<string, string>;
  assert.equal(headers["content-type"], "application/json");
  assert.equal(headers["webhook-id"], result.id);
});

Deno.test("a custom fetch whose failed response has no headers object ends the attempt as a network error, without rejecting", async () => {
  const service = new WebhookDeliveryService({
    retryDelaysMs: [],
    logger: captureLogger(),
    fetch: () =>
      Promise.resolve({ status: 503, body: null } as unknown as Response),
  });

  const result = await service.send("http://127.0.0.1:9/hook", {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.error?.kind, "network");
});
