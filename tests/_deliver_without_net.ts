/**
 * Run by `classification_test.ts` in a child process started without
 * `--allow-net`: delivers to the URL given as its argument through the
 * runtime's own fetch, and prints the result as JSON.
 */
import { WebhookDeliveryService } from "../mod.ts";

const service = new WebhookDeliveryService({
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});
const url = Deno.args[0] ?? "http://127.0.0.1:9/hook";
const result = await service.send(url, { event_type: "task.completed" });
console.log(JSON.stringify(result));
