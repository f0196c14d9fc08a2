import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { attemptPrinter } from "../../src/cli/_print_attempt.ts";

function fakeClock(): FakeTimers.Clock & Disposable {
  const clock = FakeTimers.install({
    toFake: ["setInterval", "clearInterval", "Date"],
    now: Date.UTC(2026, 11, 2, 12, 0, 0),
  });
  return Object.assign(clock, { [Symbol.dispose]: () => clock.uninstall() });
}

const RETRYING = {
  webhookId: "evt_1",
  url: "https://hooks.example/in?token=REDACTED",
  attempt: 1,
  maxAttempts: 4,
  outcome: "retrying",
  durationMs: 12,
  status: 503,
  retryInMs: 3_000,
};

Deno.test("on a terminal, the wait before the next attempt counts down on one line", () => {
  using clock = fakeClock();
  let output = "";
  const printer = attemptPrinter((text) => output += text, true);

  printer.warn("Webhook attempt failed, will retry", RETRYING);
  assert.equal(
    output,
    "attempt 1/4: HTTP 503 in 12 ms - next attempt in 3 s\n\r\x1b[2K  waiting 3 s before the next attempt…",
  );
  clock.tick(1_000);
  assert.ok(output.endsWith("\r\x1b[2K  waiting 2 s before the next attempt…"));
  clock.tick(1_000);
  assert.ok(output.endsWith("\r\x1b[2K  waiting 1 s before the next attempt…"));

  output = "";
  printer.info("Webhook delivered", {
    ...RETRYING,
    attempt: 2,
    outcome: "delivered",
    status: 204,
    retryInMs: undefined,
  });
  // The countdown line is cleared, then the attempt printed.
  assert.equal(output, "\r\x1b[2Kattempt 2/4: HTTP 204 in 12 ms - delivered\n");
  clock.tick(5_000);
  assert.equal(clock.countTimers(), 0);
  printer.stop();
});

Deno.test("off a terminal, one plain line per attempt and no timer", () => {
  using clock = fakeClock();
  let output = "";
  const printer = attemptPrinter((text) => output += text, false);

  printer.warn("Webhook attempt failed, will retry", {
    ...RETRYING,
    status: undefined,
    errorKind: "connection_refused",
    error: "Connection refused by hooks.example",
  });
  printer.error("Webhook delivery failed after all attempts", {
    ...RETRYING,
    attempt: 4,
    outcome: "exhausted",
    retryInMs: undefined,
  });
  printer.stop();
  assert.equal(
    output,
    "attempt 1/4: connection_refused (Connection refused by hooks.example) in 12 ms - next attempt in 3 s\n" +
      "attempt 4/4: HTTP 503 in 12 ms - exhausted\n",
  );
  assert.equal(clock.countTimers(), 0);
});
