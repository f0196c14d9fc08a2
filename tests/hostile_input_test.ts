/**
 * Never reject: whatever user code throws, rejects with or aborts with, and
 * however the per-delivery options misbehave when read, `send()` and
 * `deliver()` resolve with a documented outcome and leave log records whose
 * text fields are text.
 */
import assert from "node:assert/strict";
import { type FetchFunction, WebhookDeliveryService } from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { assertWellFormed, UNPRINTABLE } from "./_hostile.ts";

const URL_ = "http://hooks.example/in";

/** A fetch that must not be called, counting the calls it gets. */
function noFetch(): FetchFunction & { calls: number } {
  const fetch = Object.assign(() => {
    fetch.calls++;
    return Promise.resolve(new Response(null, { status: 204 }));
  }, { calls: 0 });
  return fetch;
}

for (const [name, make] of UNPRINTABLE) {
  Deno.test(`${name} thrown by the payload's toJSON is invalid_payload`, async () => {
    const logger = captureLogger();
    const fetch = noFetch();
    const service = new WebhookDeliveryService({ logger, fetch });
    const payload = {
      toJSON() {
        throw make();
      },
    };

    const result = await service.send(URL_, payload);

    assertWellFormed(result, logger.records);
    assert.equal(result.outcome, "invalid");
    assert.equal(result.error?.kind, "invalid_payload");
    assert.equal(await service.deliver(URL_, payload), false);
    assert.equal(fetch.calls, 0);
  });

  for (const how of ["throws", "rejects with"] as const) {
    Deno.test(`resolveHost that ${how} ${name} blocks the destination`, async () => {
      const logger = captureLogger();
      const fetch = noFetch();
      const service = new WebhookDeliveryService({
        logger,
        fetch,
        blockPrivateNetworks: true,
        resolveHost: () => {
          if (how === "throws") throw make();
          return Promise.reject(make());
        },
      });

      const result = await service.send(URL_, {});

      assertWellFormed(result, logger.records);
      assert.equal(result.outcome, "invalid");
      assert.equal(result.error?.kind, "blocked_destination");
      assert.match(result.error?.message ?? "", /'resolveHost' failed/);
      assert.equal(fetch.calls, 0);
    });

    Deno.test(`a custom fetch that ${how} ${name} is a network error`, async () => {
      const logger = captureLogger();
      const service = new WebhookDeliveryService({
        logger,
        retryDelaysMs: [0],
        fetch: () => {
          if (how === "throws") throw make();
          return Promise.reject(make());
        },
      });

      const result = await service.send(URL_, {});

      assertWellFormed(result, logger.records);
      assert.equal(result.outcome, "exhausted");
      assert.deepEqual(
        result.attempts.map((a) => a.error?.kind),
        ["network", "network"],
      );
      assert.deepEqual(logger.records.map((r) => r.level), ["warn", "error"]);
    });
  }

  Deno.test(`${name} as the reason of an abort before sending ends as aborted`, async () => {
    const logger = captureLogger();
    const fetch = noFetch();
    const service = new WebhookDeliveryService({ logger, fetch });
    const controller = new AbortController();
    controller.abort(make());

    const result = await service.send(URL_, {}, {
      signal: controller.signal,
    });

    assertWellFormed(result, logger.records);
    assert.equal(result.outcome, "aborted");
    assert.equal(result.error?.kind, "aborted");
    assert.match(result.error?.message ?? "", /^Aborted by the caller/);
    assert.equal(fetch.calls, 0);
  });

  Deno.test(`${name} as the reason of an abort during a request ends as aborted`, async () => {
    const logger = captureLogger();
    const controller = new AbortController();
    const service = new WebhookDeliveryService({
      logger,
      // Aborts, then never answers: only the abort can end the attempt.
      fetch: () => {
        controller.abort(make());
        return new Promise<Response>(() => {});
      },
    });

    const result = await service.send(URL_, {}, {
      signal: controller.signal,
    });

    assertWellFormed(result, logger.records);
    assert.equal(result.outcome, "aborted");
    assert.equal(result.attempts.length, 1);
    assert.equal(result.attempts[0]?.error?.kind, "aborted");
  });
}

/** A Proxy whose every read throws. */
function throwingOnGet<T extends object>(target: T): T {
  return new Proxy(target, {
    get() {
      throw new Error("get trap");
    },
    has() {
      throw new Error("has trap");
    },
    ownKeys() {
      throw new Error("ownKeys trap");
    },
    getOwnPropertyDescriptor() {
      throw new Error("getOwnPropertyDescriptor trap");
    },
    getPrototypeOf() {
      throw new Error("getPrototypeOf trap");
    },
  });
}

const revoked = UNPRINTABLE[1]![1];

const hostileOptions: [string, () => unknown, string][] = [
  [
    "options whose every read throws",
    () => throwingOnGet({}),
    "invalid_signal",
  ],
  ["options that are a revoked Proxy", revoked, "invalid_signal"],
  [
    "headers whose every read throws",
    () => ({ headers: throwingOnGet({}) }),
    "invalid_headers",
  ],
  [
    "headers of an array whose every read throws",
    () => ({ headers: throwingOnGet([["x-a", "1"]]) }),
    "invalid_headers",
  ],
  [
    "headers that are a revoked Proxy",
    () => ({ headers: revoked() }),
    "invalid_headers",
  ],
  [
    "a signal whose aborted getter throws",
    () => ({
      signal: {
        get aborted(): boolean {
          throw new Error("aborted getter");
        },
        addEventListener() {},
        removeEventListener() {},
      },
    }),
    "invalid_signal",
  ],
  [
    "a signal that is a Proxy of an AbortSignal throwing on get",
    () => ({ signal: throwingOnGet(new AbortController().signal) }),
    "invalid_signal",
  ],
  [
    "a signal that is a revoked Proxy",
    () => ({ signal: revoked() }),
    "invalid_signal",
  ],
  [
    "an id getter that throws",
    () => ({
      get id(): string {
        throw unprintable();
      },
    }),
    "invalid_id",
  ],
];

/** A thrown value without a prototype, for the getters above. */
function unprintable(): unknown {
  return Object.create(null);
}

for (const [name, options, kind] of hostileOptions) {
  Deno.test(`send() and deliver() resolve for ${name}: ${kind}`, async () => {
    const logger = captureLogger();
    const fetch = noFetch();
    const service = new WebhookDeliveryService({ logger, fetch });

    // deno-lint-ignore no-explicit-any
    const result = await service.send(URL_, {}, options() as any);
    // deno-lint-ignore no-explicit-any
    const ok = await service.deliver(URL_, {}, options() as any);

    assertWellFormed(result, logger.records);
    assert.equal(result.outcome, "invalid");
    assert.equal(result.error?.kind, kind);
    assert.equal(ok, false);
    assert.equal(fetch.calls, 0);
    assert.equal(logger.records.length, 2);
  });
}

Deno.test("a URL that is a revoked Proxy is invalid_url, logged as not a string", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger, fetch: noFetch() });

  // deno-lint-ignore no-explicit-any
  const result = await service.send(revoked() as any, {});

  assertWellFormed(result, logger.records);
  assert.equal(result.error?.kind, "invalid_url");
  assert.equal(logger.records[0]?.fields.url, "(not a string)");
});
