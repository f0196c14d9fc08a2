/**
 * The cost of signing: `send()` with and without a Standard Webhooks secret,
 * against the same local receiver. Unsigned `send()` is the baseline, so the
 * ratio is what HMAC-SHA256 over the body and the two extra headers add to
 * each delivery.
 *
 * @module
 */
import { silentLogger, WebhookDeliveryService } from "../mod.ts";
import { EVENT, iterations, startReceiver } from "./_shared.ts";

const { url } = startReceiver();

// A fixed, well-formed test secret: 32 bytes of base64 after `whsec_`.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=";

const CASES: readonly [name: string, service: WebhookDeliveryService][] = [
  ["send(), unsigned", new WebhookDeliveryService({ logger: silentLogger })],
  [
    "send(), signed with one secret",
    new WebhookDeliveryService({ logger: silentLogger, secret: SECRET }),
  ],
  [
    "send(), signed with two secrets (rotation)",
    new WebhookDeliveryService({
      logger: silentLogger,
      secret: [SECRET, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oDC2FVsBQIhrs="],
    }),
  ],
];

for (const [name, service] of CASES) {
  Deno.bench({
    name,
    group: "signing",
    baseline: name === "send(), unsigned",
    ...iterations(5_000, 500),
    // `async` itself, so that `deno bench` awaits each iteration.
    async fn() {
      const result = await service.send(url, EVENT);
      if (!result.ok) throw new Error(`Delivery ended ${result.outcome}`);
    },
  });
}
