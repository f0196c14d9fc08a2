import assert from "node:assert/strict";
import {
  DEFAULT_TIMEOUT_MS,
  silentLogger,
  WebhookDeliveryService,
} from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("an attempt to a receiver that never answers ends as timeout and is retried", async () => {
  await using server = startStubServer([{ hang: true }]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    timeoutMs: 200,
    retryDelaysMs: [0],
    logger,
  });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(server.requests.length, 2);
  assert.deepEqual(result.attempts.map((a) => a.error?.kind), [
    "timeout",
    "timeout",
  ]);
  assert.deepEqual(logger.records.map((r) => r.fields.errorKind), [
    "timeout",
    "timeout",
  ]);
});

Deno.test("an attempt whose response body stalls after the headers ends as timeout", async () => {
  await using server = startStubServer([{ status: 200, stallBody: true }]);
  const service = new WebhookDeliveryService({
    timeoutMs: 200,
    retryDelaysMs: [0],
    logger: silentLogger,
  });

  const result = await service.send(server.url, {});

  // The 200 never finished arriving, so nobody can say it was delivered.
  assert.equal(result.ok, false);
  assert.equal(result.outcome, "exhausted");
  assert.equal(server.requests.length, 2);
  assert.deepEqual(result.attempts.map((a) => a.error?.kind), [
    "timeout",
    "timeout",
  ]);
  assert.equal(result.attempts[0]?.status, undefined);
});

Deno.test("a default service gives each attempt DEFAULT_TIMEOUT_MS (10 000 ms)", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const asked: number[] = [];
  const timeout = AbortSignal.timeout;
  AbortSignal.timeout = (ms: number) => {
    asked.push(ms);
    return timeout.call(AbortSignal, ms);
  };
  try {
    const ok = await new WebhookDeliveryService({ logger: silentLogger })
      .deliver(server.url, {});
    assert.equal(ok, true);
  } finally {
    AbortSignal.timeout = timeout;
  }

  assert.equal(DEFAULT_TIMEOUT_MS, 10_000);
  assert.deepEqual(asked, [10_000]);
});

Deno.test("a custom fetch that ignores the signal still times out", async () => {
  const never = Promise.withResolvers<Response>();
  const service = new WebhookDeliveryService({
    timeoutMs: 100,
    retryDelaysMs: [],
    logger: silentLogger,
    fetch: () => never.promise,
  });

  const result = await service.send("http://127.0.0.1:9/hook", {});

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.error?.kind, "timeout");
});

/**
 * A fetch whose responses claim 10 bytes and never send one, whatever the
 * signal does: a short length must not tempt the service into an
 * uncancellable one-call read of a body it does not control.
 */
function endlessBodyFetch(): {
  fetch: () => Promise<Response>;
  cancelled: () => boolean;
} {
  let cancelled = false;
  const fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          cancel() {
            cancelled = true;
          },
        }),
        { headers: { "content-length": "10" } },
      ),
    );
  return { fetch, cancelled: () => cancelled };
}

Deno.test("a response body that ignores the signal still times out, and is cancelled", async () => {
  const endless = endlessBodyFetch();
  const service = new WebhookDeliveryService({
    timeoutMs: 100,
    retryDelaysMs: [],
    logger: silentLogger,
    fetch: endless.fetch,
  });

  const result = await service.send("http://127.0.0.1:9/hook", {});

  assert.equal(result.attempts[0]?.error?.kind, "timeout");
  assert.equal(endless.cancelled(), true);
});

Deno.test("a global fetch replaced after the module loaded is watched like a custom one: its endless body still times out", async () => {
  const original = globalThis.fetch;
  const endless = endlessBodyFetch();
  globalThis.fetch = endless.fetch;
  try {
    const service = new WebhookDeliveryService({
      timeoutMs: 100,
      retryDelaysMs: [],
      logger: silentLogger,
    });

    // Trusted like the runtime's own fetch, this body would never settle:
    // a deadline makes that a failure instead of a hung test run.
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      service.send("http://127.0.0.1:9/hook", {}),
      new Promise<never>((_, reject) => {
        deadline = setTimeout(
          () => reject(new Error("The delivery outlasted its timeout")),
          5_000,
        );
      }),
    ]).finally(() => clearTimeout(deadline));

    assert.equal(result.outcome, "exhausted");
    assert.equal(result.attempts[0]?.error?.kind, "timeout");
    assert.equal(endless.cancelled(), true);
  } finally {
    globalThis.fetch = original;
  }
});

Deno.test("a body that a trusted fetch ends early when the timeout fires is a timeout, not a delivery", async () => {
  const child = new URL("./_fetch_replaced_before_load.ts", import.meta.url);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", child.pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();

  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
    outcome: "exhausted",
    errorKind: "timeout",
  });
});
