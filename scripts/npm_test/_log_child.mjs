// Delivers once with the default logger, through `import`, so that the test
// sees what a Node.js program prints: node _log_child.mjs URL
import process from "node:process";
import { WebhookDeliveryService } from "@omoi/webhook-delivery";

const service = new WebhookDeliveryService({ retryDelaysMs: [0, 0] });
const ok = await service.deliver(process.argv[2], { event_type: "task.done" });
process.exitCode = ok ? 0 : 1;
