/**
 * Property-based tests: hostile values across every input of `send()`
 * (payload, URL, id, headers, options, signal and its reason, what a custom
 * `fetch` does, the logger, `retryOnStatus`, `resolveHost`) and four
 * properties that must hold whatever they are: the promise resolves; the
 * outcome is a documented one; the delivery ends within its bound; a marker
 * secret in the URL's user info or query appears in no log record and not in
 * the JSON of the result.
 *
 * The seed and the number of runs come from `FC_SEED` and `FC_RUNS` when the
 * environment may be read (`deno task test` allows both), with defaults that
 * take a few seconds. A long fuzz session, with a seed of its own:
 *
 *     FC_SEED=$RANDOM FC_RUNS=100000 deno test --allow-net=127.0.0.1 \
 *       --allow-env=FC_SEED,FC_RUNS tests/properties_test.ts
 *
 * A failure prints its seed, path and counterexample; run it again with that
 * `FC_SEED` to reproduce it.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type DeliveryResult,
  type SendOptions,
  WebhookDeliveryService,
} from "../mod.ts";
import type { CapturedRecord } from "./_capture_logger.ts";
import {
  boundMs,
  captureAll,
  customFetch,
  resolveHost,
  retryOnStatus,
  serviceOptions,
  type ServicePlan,
} from "./_fetch_plans.ts";
import { OUTCOMES } from "./_hostile.ts";
import {
  buildPayload,
  buildSendOptions,
  buildUrl,
  MARK,
  payload,
  type PayloadPlan,
  sendOptions,
  type SendPlan,
  url,
  type UrlPlan,
  validSendOptions,
  validUrl,
} from "./_input_plans.ts";
import { VECTORS } from "./_signing.ts";
import { within } from "./_within.ts";

/** A whole number from the environment, when it may be read and is set. */
function fromEnv(name: string, fallback: number): number {
  const granted = Deno.permissions.querySync({ name: "env", variable: name })
    .state === "granted";
  const text = granted ? Deno.env.get(name) : undefined;
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a whole number: it is ${text}`);
  }
  return value;
}

const SEED = fromEnv("FC_SEED", 20261201);
const RUNS = fromEnv("FC_RUNS", 150);

function assertNoMarker(
  result: DeliveryResult,
  records: readonly CapturedRecord[],
): void {
  for (const record of records) {
    const text = JSON.stringify([record.message, record.fields]);
    assert.ok(!text.includes(MARK), `marker in a log record: ${text}`);
  }
  const json = JSON.stringify(result);
  assert.ok(!json.includes(MARK), `marker in the result: ${json}`);
}

/** One delivery of a generated plan, and the four properties checked on it. */
async function deliverAndCheck(
  urlPlan: UrlPlan,
  payloadPlan: PayloadPlan,
  sendPlan: SendPlan,
  plan: ServicePlan,
): Promise<void> {
  const records: CapturedRecord[] = [];
  const controller = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  const onStatus = retryOnStatus(plan.retryOnStatus);
  const resolver = resolveHost(plan.resolveHost);
  const service = new WebhookDeliveryService({
    timeoutMs: plan.timeoutMs,
    retryDelaysMs: plan.retryDelaysMs,
    jitter: plan.jitter,
    maxRetryAfterMs: plan.maxRetryAfterMs,
    logger: captureAll(plan.logger, records),
    fetch: customFetch(plan.fetch, controller),
    ...(plan.maxPayloadBytes === null
      ? {}
      : { maxPayloadBytes: plan.maxPayloadBytes }),
    ...(plan.signed ? { secret: VECTORS[0].secret } : {}),
    ...(onStatus ? { retryOnStatus: onStatus } : {}),
    ...(resolver ? { blockPrivateNetworks: true, resolveHost: resolver } : {}),
  });
  const bound = boundMs(plan);
  const startedAt = performance.now();
  try {
    const result = await within(
      service.send(
        buildUrl(urlPlan) as string,
        buildPayload(payloadPlan),
        buildSendOptions(sendPlan, controller, timers) as SendOptions,
      ),
      bound + 5_000,
      "send()",
    );

    const elapsed = performance.now() - startedAt;
    assert.ok(elapsed < bound, `${elapsed} ms, bound ${bound} ms`);
    assert.ok(OUTCOMES.has(result.outcome), result.outcome);
    assert.equal(result.ok, result.outcome === "delivered");
    assert.ok(result.attempts.length <= plan.retryDelaysMs.length + 1);
    assert.ok(records.length > 0, "no log record");
    for (const record of records) {
      assert.equal(typeof record.message, "string");
      assert.equal(typeof record.fields.url, "string");
      if ("error" in record.fields) {
        assert.equal(typeof record.fields.error, "string");
      }
    }
    assertNoMarker(result, records);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

Deno.test("send() resolves with a documented outcome, in bound, leaking no URL secret, whatever input it is given", async () => {
  await fc.assert(
    fc.asyncProperty(
      url,
      payload,
      sendOptions,
      serviceOptions,
      deliverAndCheck,
    ),
    { seed: SEED, numRuns: RUNS },
  );
});

Deno.test("send() resolves with a documented outcome, in bound, leaking no URL secret, whatever fetch, logger and callbacks do", async () => {
  await fc.assert(
    fc.asyncProperty(
      validUrl,
      fc.record({ json: fc.jsonValue({ maxDepth: 2 }) }),
      validSendOptions,
      serviceOptions.map((plan) => ({ ...plan, maxPayloadBytes: null })),
      deliverAndCheck,
    ),
    { seed: SEED, numRuns: RUNS },
  );
});
