/**
 * Run by `hang_test.ts` in a child process: a delivery through a custom
 * fetch whose body enqueues empty chunks forever. A read loop that never
 * yields to timers would freeze this process, which only a parent can see;
 * it prints the result and whether a timer started before it fired.
 */
import { WebhookDeliveryService } from "../mod.ts";

let timerFired = false;
setTimeout(() => timerFired = true, 0);
const service = new WebhookDeliveryService({
  timeoutMs: 200,
  retryDelaysMs: [],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  fetch: () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            controller.enqueue(new Uint8Array(0));
          },
        }),
        { status: 500 },
      ),
    ),
});
const result = await service.send("http://hooks.example/in", {});
await new Promise((resolve) => setTimeout(resolve, 0));
console.log(JSON.stringify({ result, timerFired }));
