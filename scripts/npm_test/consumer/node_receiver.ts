// A Node.js receiver that verifies signed webhooks, as docs/security.md shows
// it, through the receiver's own entry point (`/verify`): node:http's body
// chunks and `request.headers` go to WebhookVerifier as they are. Type-checked under `nodenext` with @types/node only.
import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import {
  isWebhookVerificationError,
  type WebhookHeaders,
  WebhookVerifier,
} from "@omoi/webhook-delivery/verify";

const verifier = new WebhookVerifier("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
  toleranceSeconds: 60,
});

export const server = createServer(async (request, response) => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of request) chunks.push(chunk);
  const headers: WebhookHeaders = request.headers;
  try {
    const event: unknown = await verifier.verify(
      Buffer.concat(chunks),
      headers,
    );
    console.log("verified", event);
    response.writeHead(204).end();
  } catch (error) {
    response.writeHead(isWebhookVerificationError(error) ? 401 : 500).end();
  }
});
