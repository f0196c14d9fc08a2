import assert from "node:assert/strict";
import {
  createJsonLogger,
  silentLogger,
  WebhookDeliveryService,
} from "../mod.ts";
import { VERSION } from "../src/send/_version.ts";
import { startStubServer } from "./_stub_server.ts";

// Retries without waiting: the schedule itself is tested under fake time.
const NO_WAIT = [0, 0, 0];

Deno.test("deliver() POSTs the payload as JSON once and resolves true on 200", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const service = new WebhookDeliveryService({ logger: silentLogger });
  const payload = { event_type: "task.completed", task_id: "task_42" };

  const ok = await service.deliver(server.url, payload);

  assert.equal(ok, true);
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.equal(request?.method, "POST");
  assert.equal(request?.path, "/hook");
  assert.equal(request?.headers.get("content-type"), "application/json");
  assert.equal(request?.body, JSON.stringify(payload));
  assert.equal(
    request?.headers.get("user-agent"),
    `omoi-webhook-delivery/${VERSION}`,
  );
  assert.match(
    request?.headers.get("webhook-id") ?? "",
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

Deno.test("send() resolves the result with the caller's id as webhook-id", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({ logger: silentLogger });

  const result = await service.send(server.url, { a: 1 }, { id: "evt_1" });

  assert.equal(result.ok, true);
  assert.equal(result.outcome, "delivered");
  assert.equal(result.id, "evt_1");
  assert.equal(result.attempts.length, 1);
  assert.equal(result.attempts[0]?.number, 1);
  assert.equal(result.attempts[0]?.status, 204);
  assert.equal(result.attempts[0]?.retryInMs, undefined);
  assert.ok(!Number.isNaN(Date.parse(result.attempts[0]?.startedAt ?? "")));
  assert.equal(server.requests[0]?.headers.get("webhook-id"), "evt_1");
});

Deno.test("deliver() retries 500, 500 then delivers on 200 with one webhook-id", async () => {
  await using server = startStubServer([
    { status: 500 },
    { status: 500 },
    { status: 200 },
  ]);
  const service = new WebhookDeliveryService({
    retryDelaysMs: NO_WAIT,
    logger: silentLogger,
  });

  const ok = await service.deliver(server.url, { n: 1 });

  assert.equal(ok, true);
  assert.equal(server.requests.length, 3);
  const ids = new Set(server.requests.map((r) => r.headers.get("webhook-id")));
  assert.equal(ids.size, 1);
  assert.ok(!ids.has(null));
});

for (const status of [400, 401, 404, 410, 422, 429]) {
  Deno.test(`deliver() gives up on ${status} after one request`, async () => {
    await using server = startStubServer([{ status }, { status: 200 }]);
    const service = new WebhookDeliveryService({
      retryDelaysMs: NO_WAIT,
      logger: silentLogger,
    });

    const result = await service.send(server.url, {});

    assert.equal(result.ok, false);
    assert.equal(result.outcome, "rejected");
    assert.equal(server.requests.length, 1);
    assert.equal(result.attempts[0]?.status, status);
  });
}

Deno.test("deliver() retries 429 when retryOnStatus opts in", async () => {
  await using server = startStubServer([{ status: 429 }, { status: 200 }]);
  const seen: number[] = [];
  const service = new WebhookDeliveryService({
    retryDelaysMs: NO_WAIT,
    retryOnStatus: (status) => {
      seen.push(status);
      return status === 429 || status >= 500;
    },
    logger: silentLogger,
  });

  const ok = await service.deliver(server.url, {});

  assert.equal(ok, true);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(seen, [429]);
});

Deno.test("deliver() does not retry when retryOnStatus throws", async () => {
  await using server = startStubServer([{ status: 503 }, { status: 200 }]);
  const service = new WebhookDeliveryService({
    retryDelaysMs: NO_WAIT,
    retryOnStatus: () => {
      throw new Error("broken predicate");
    },
    logger: silentLogger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "rejected");
  assert.equal(server.requests.length, 1);
});

for (const status of [500, 502, 503, 504]) {
  Deno.test(`deliver() sends 4 requests to a receiver that always answers ${status}`, async () => {
    await using server = startStubServer([{ status }]);
    const service = new WebhookDeliveryService({
      retryDelaysMs: NO_WAIT,
      logger: silentLogger,
    });

    const result = await service.send(server.url, {});

    assert.equal(result.ok, false);
    assert.equal(result.outcome, "exhausted");
    assert.equal(server.requests.length, 4);
    assert.deepEqual(result.attempts.map((a) => a.status), [
      status,
      status,
      status,
      status,
    ]);
    assert.deepEqual(result.attempts.map((a) => a.retryInMs), [
      0,
      0,
      0,
      undefined,
    ]);
  });
}

Deno.test("deliver() with retryDelaysMs [] sends exactly once", async () => {
  await using server = startStubServer([{ status: 500 }]);
  const service = new WebhookDeliveryService({
    retryDelaysMs: [],
    logger: silentLogger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(server.requests.length, 1);
});

for (
  const [name, payload, body] of [
    ["{}", {}, "{}"],
    ["[]", [], "[]"],
    ["null", null, "null"],
    ['""', "", '""'],
  ] as const
) {
  Deno.test(`deliver() sends the empty payload ${name} as exactly ${body}`, async () => {
    await using server = startStubServer([{ status: 200 }]);
    const service = new WebhookDeliveryService({ logger: silentLogger });

    const ok = await service.deliver(server.url, payload);

    assert.equal(ok, true);
    assert.equal(server.requests[0]?.body, body);
  });
}

Deno.test("deliver() rejects a 302 without following it to the Location, and logs that it did not follow it", async () => {
  await using elsewhere = startStubServer([{ status: 200 }]);
  await using server = startStubServer([
    { status: 302, headers: { location: elsewhere.url } },
  ]);
  const records: Record<string, unknown>[] = [];
  const messages: string[] = [];
  const service = new WebhookDeliveryService({
    logger: {
      ...silentLogger,
      error: (message, fields) => {
        messages.push(message);
        records.push(fields);
      },
    },
  });

  const result = await service.send(server.url, { event_type: "task.failed" });

  assert.equal(result.ok, false);
  assert.equal(result.outcome, "rejected");
  assert.equal(server.requests.length, 1);
  assert.equal(elsewhere.requests.length, 0);
  assert.equal(records.length, 1);
  assert.deepEqual(messages, ["Webhook redirect not followed"]);
  assert.equal(records[0]?.outcome, "rejected");
  assert.equal(records[0]?.status, 302);
  assert.equal(records[0]?.location, elsewhere.url);
});

Deno.test("deliver() never retries a redirect, even when retryOnStatus would", async () => {
  await using server = startStubServer([
    { status: 307, headers: { location: "https://example.test/hook" } },
    { status: 200 },
  ]);
  const service = new WebhookDeliveryService({
    retryDelaysMs: NO_WAIT,
    retryOnStatus: () => true,
    logger: silentLogger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "rejected");
  assert.equal(server.requests.length, 1);
});

Deno.test("deliver() does not retry, nor crash, when retryOnStatus returns a rejected promise", async () => {
  await using server = startStubServer([{ status: 503 }, { status: 200 }]);
  const service = new WebhookDeliveryService({
    retryDelaysMs: NO_WAIT,
    // An async predicate is a type error, but JavaScript callers can pass one.
    retryOnStatus: (() =>
      Promise.reject(new Error("async predicate"))) as unknown as (
        status: number,
      ) => boolean,
    logger: silentLogger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "rejected");
  assert.equal(server.requests.length, 1);
});

Deno.test("deliver() merges service and per-delivery headers", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const service = new WebhookDeliveryService({
    headers: { authorization: "Bearer service", "x-service": "1" },
    logger: silentLogger,
  });

  await service.deliver(server.url, {}, {
    headers: { authorization: "Bearer delivery", "user-agent": "custom/1" },
  });

  const headers = server.requests[0]?.headers;
  assert.equal(headers?.get("authorization"), "Bearer delivery");
  assert.equal(headers?.get("x-service"), "1");
  assert.equal(headers?.get("user-agent"), "custom/1");
});

Deno.test("deliver() accepts a URL object", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const service = new WebhookDeliveryService({ logger: silentLogger });

  assert.equal(await service.deliver(new URL(server.url), {}), true);
  assert.equal(server.requests.length, 1);
});

Deno.test("200 concurrent deliveries to one receiver all succeed", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const service = new WebhookDeliveryService({ logger: silentLogger });

  const results = await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) => service.send(server.url, { i }, { id: `evt_${i}` }),
    ),
  );

  assert.ok(results.every((result) => result.outcome === "delivered"));
  assert.ok(results.every((result) => result.attempts.length === 1));
  assert.equal(server.requests.length, 200);
  const bodies = new Set(server.requests.map((r) => r.body));
  assert.equal(bodies.size, 200);
  const ids = new Set(server.requests.map((r) => r.headers.get("webhook-id")));
  assert.equal(ids.size, 200);
});

Deno.test("deliver() sends URL credentials as basic authorization, on every runtime alike", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const lines: string[] = [];
  const service = new WebhookDeliveryService({
    logger: createJsonLogger({ write: (line) => lines.push(line) }),
  });
  const url = new URL(server.url);
  url.username = "hook user";
  url.password = "pä55:word";

  const ok = await service.deliver(url, {});

  assert.equal(ok, true);
  const authorization = server.requests[0]?.headers.get("authorization") ?? "";
  assert.match(authorization, /^Basic /);
  const decoded = new TextDecoder().decode(
    Uint8Array.from(atob(authorization.slice(6)), (c) => c.charCodeAt(0)),
  );
  assert.equal(decoded, "hook user:pä55:word");
  assert.equal(lines.length, 1);
  // The password as typed and as encoded: a bare /55/ also matched random
  // ids and durations.
  assert.doesNotMatch(lines[0] ?? "", /pä55|p%C3%A455|hook%20user|hook user/);
  assert.equal(JSON.parse(lines[0] ?? "").url, server.url);
});
