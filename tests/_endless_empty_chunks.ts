/**
 * Run by `hang_test.ts` in a child process: a delivery through a custom
 * fetch whose body enqueues empty chunks forever. A read loop that never
 * yields to timers would freeze this process, which only a parent can see;
 * it prints the result and whether a timer started before it fired.
 */
import { WebhookDeliveryService } from "../mod.ts";
import { fetchEndlessEmptyChunks } from "./_endless_empty_body.ts";

let timerFired = false;
setTimeout(() => timerFired = true, 0);
const service = new WebhookDeliveryService({
  timeoutMs: 200,
  retryDelaysMs: [],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  fetch: fetchEndlessEmptyChunks,
});
const result = await service.send("http://hooks.example/in", {});
await new Promise((resolve) => setTimeout(resolve, 0));
console.log(JSON.stringify({ result, timerFired }));
