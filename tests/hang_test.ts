/**
 * Never hang: response bodies that a custom fetch makes up (a cancel that
 * never settles, endless empty chunks) cannot hold a delivery past its
 * attempt timeout nor freeze the event loop. Each test has its own bound, so
 * that a regression fails instead of hanging the suite.
 */
import assert from "node:assert/strict";
import { type DeliveryResult, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { fetchEndlessEmptyChunks } from "./_endless_empty_body.ts";
import { assertWellFormed } from "./_hostile.ts";

/** Far below the 60 s a hung delivery would take with the defaults. */
const BOUND_MS = 10_000;

/** Settles like `promise`, or rejects once `BOUND_MS` has passed. */
async function bounded<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Still pending after ${BOUND_MS} ms`)),
      BOUND_MS,
    );
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** A body whose `cancel()` returns a promise that never settles. */
function bodyWithStuckCancel(
  chunks: "endless" | "one then silence",
): ReadableStream<Uint8Array> & { cancelled: boolean } {
  const state = { cancelled: false };
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (chunks === "endless") {
        controller.enqueue(new Uint8Array(16 * 1024).fill(120));
      } else if (!sent) {
        sent = true;
        controller.enqueue(new Uint8Array(4 * 1024).fill(120));
      } else {
        return new Promise<void>(() => {});
      }
    },
    cancel() {
      state.cancelled = true;
      return new Promise<void>(() => {});
    },
  });
  return Object.defineProperty(stream, "cancelled", {
    get: () => state.cancelled,
  }) as ReadableStream<Uint8Array> & { cancelled: boolean };
}

Deno.test("a body larger than the read cap whose cancel never settles does not hold the delivery", async () => {
  const logger = captureLogger();
  const body = bodyWithStuckCancel("endless");
  const service = new WebhookDeliveryService({
    logger,
    timeoutMs: 200,
    retryDelaysMs: [],
    fetch: () => Promise.resolve(new Response(body, { status: 500 })),
  });

  const result = await bounded(service.send("http://hooks.example/in", {}));

  assertWellFormed(result, logger.records);
  // Cut short at the read cap: the status stands, no timeout.
  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.status, 500);
  assert.equal(
    (logger.records[0]?.fields.responseExcerpt as string).length,
    500,
  );
  assert.ok(body.cancelled);
});

Deno.test("a stalled body whose cancel never settles ends at the attempt timeout", async () => {
  const logger = captureLogger();
  const body = bodyWithStuckCancel("one then silence");
  const service = new WebhookDeliveryService({
    logger,
    timeoutMs: 200,
    retryDelaysMs: [],
    fetch: () => Promise.resolve(new Response(body, { status: 503 })),
  });

  const result = await bounded(service.send("http://hooks.example/in", {}));

  assertWellFormed(result, logger.records);
  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.error?.kind, "timeout");
  assert.ok(body.cancelled);
});

Deno.test("a body of endless empty chunks ends the attempt in-process, and a timer still fires", async () => {
  const logger = captureLogger();
  let timerFired = false;
  const timer = setTimeout(() => timerFired = true, 0);
  const service = new WebhookDeliveryService({
    logger,
    timeoutMs: 200,
    retryDelaysMs: [],
    fetch: fetchEndlessEmptyChunks,
  });

  try {
    const result = await bounded(service.send("http://hooks.example/in", {}));
    await new Promise((resolve) => setTimeout(resolve, 0));

    assertWellFormed(result, logger.records);
    assert.equal(result.outcome, "exhausted");
    assert.ok(
      ["network", "timeout"].includes(result.attempts[0]?.error?.kind ?? ""),
    );
    assert.ok(timerFired);
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("a body of endless empty chunks does not freeze the process (seen from a parent)", async () => {
  // In-process, a frozen event loop would also freeze the bound above: a
  // child process is bounded by this one, which stays free to kill it.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "tests/_endless_empty_chunks.ts"],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  });

  const { success, stdout, stderr } = await child.output();

  const output = new TextDecoder().decode(stdout);
  assert.ok(success, new TextDecoder().decode(stderr));
  const { result, timerFired } = JSON.parse(output) as {
    result: DeliveryResult;
    timerFired: boolean;
  };
  assert.equal(result.outcome, "exhausted");
  assert.ok(
    ["network", "timeout"].includes(result.attempts[0]?.error?.kind ?? ""),
  );
  assert.ok(timerFired);
});
