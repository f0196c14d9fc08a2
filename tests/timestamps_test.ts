import assert from "node:assert/strict";
import { createJsonLogger, WebhookDeliveryService } from "../mod.ts";
import { useFakeTime } from "./_fake_time.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("each attempt's startedAt and each JSON log line's time are the clock's time then", async () => {
  await using server = startStubServer([{ status: 503 }, { status: 200 }]);
  using clock = useFakeTime();
  const lines: string[] = [];
  const firstLine = Promise.withResolvers<void>();
  const service = new WebhookDeliveryService({
    retryDelaysMs: [1_500],
    logger: createJsonLogger({
      write(line) {
        lines.push(line);
        firstLine.resolve();
      },
    }),
  });

  const delivery = service.send(server.url, {});
  // The warn record of the 503 is written just before the wait starts.
  await firstLine.promise;
  await clock.tickAsync(1_500);
  const result = await delivery;

  assert.equal(result.outcome, "delivered");
  assert.deepEqual(result.attempts.map((attempt) => attempt.startedAt), [
    "2026-11-28T12:00:00.000Z",
    "2026-11-28T12:00:01.500Z",
  ]);
  assert.deepEqual(lines.map((line) => JSON.parse(line).time), [
    "2026-11-28T12:00:00.000Z",
    "2026-11-28T12:00:01.500Z",
  ]);
});
