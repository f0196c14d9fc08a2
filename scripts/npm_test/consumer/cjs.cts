// A TypeScript consumer of the packed package, as a CommonJS module: under
// `nodenext` it compiles to `require`, so tsc checks it against the
// declarations of the `require` condition.
import webhooks = require("@omoi/webhook-delivery");
import verify = require("@omoi/webhook-delivery/verify");

const service = new webhooks.WebhookDeliveryService({
  retryDelaysMs: [0, 0],
  logger: webhooks.createJsonLogger({ write: (line) => console.error(line) }),
});

export async function notify(url: string): Promise<webhooks.DeliveryResult> {
  const result = await service.send(url, { event_type: "task.completed" });
  const ok: boolean = result.ok;
  if (!ok) console.error(result.outcome, result.error?.message);
  return result;
}

// @ts-expect-error the logger must have debug, info, warn and error
new webhooks.WebhookDeliveryService({ logger: { info() {} } });

// The receiver's entry point has its own declarations under `require`.
export const verifier: verify.WebhookVerifier = new verify.WebhookVerifier(
  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
);
export const reason: verify.WebhookVerificationReason = "missing_header";
