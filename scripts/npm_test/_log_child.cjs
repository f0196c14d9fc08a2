// Delivers once with the default logger, through `require`, so that the test
// sees what a Node.js program prints: node _log_child.cjs URL
const process = require("node:process");
const { WebhookDeliveryService } = require("@omoi/webhook-delivery");

const service = new WebhookDeliveryService({ retryDelaysMs: [0, 0] });
service.deliver(process.argv[2], { event_type: "task.done" }).then((ok) => {
  process.exitCode = ok ? 0 : 1;
});
