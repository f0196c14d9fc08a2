import assert from "node:assert/strict";
import { silentLogger, WebhookDeliveryService } from "../mod.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("headers named like Object.prototype members are sent as they are", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    logger: silentLogger,
    headers: [["__proto__", "service"], ["constructor", "service"]],
  });

  const ok = await service.deliver(server.url, {}, {
    headers: [["__proto__", "delivery"], ["hasOwnProperty", "delivery"]],
  });

  assert.equal(ok, true);
  const headers = server.requests[0]?.headers;
  assert.equal(headers?.get("__proto__"), "delivery");
  assert.equal(headers?.get("constructor"), "service");
  assert.equal(headers?.get("hasownproperty"), "delivery");
  assert.equal(headers?.get("content-type"), "application/json");
});
