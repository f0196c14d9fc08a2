/**
 * Run as a child by `timeout_test.ts`. Replaces `globalThis.fetch` before the
 * module loads, so the module takes it for the runtime's own, with one whose
 * response body ends cleanly, short of its `content-length`, when the signal
 * fires: a bug some runtimes' fetch has had. Prints the delivery's outcome and the
 * error kind of its one attempt, as JSON.
 */
globalThis.fetch = (_input, init) =>
  Promise.resolve(
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{"));
          init?.signal?.addEventListener("abort", () => controller.close());
        },
      }),
      { status: 200, headers: { "content-length": "10" } },
    ),
  );

const { silentLogger, WebhookDeliveryService } = await import("../mod.ts");
const service = new WebhookDeliveryService({
  timeoutMs: 100,
  retryDelaysMs: [],
  logger: silentLogger,
});
const result = await service.send("http://127.0.0.1:9/hook", {});
console.log(JSON.stringify({
  outcome: result.outcome,
  errorKind: result.attempts[0]?.error?.kind,
}));
