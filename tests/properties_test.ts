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
  type FetchFunction,
  type Logger,
  type LogLevel,
  type SendOptions,
  type WebhookDeliveryOptions,
  WebhookDeliveryService,
} from "../mod.ts";
import type { CapturedRecord } from "./_capture_logger.ts";
import { OUTCOMES, UNPRINTABLE } from "./_hostile.ts";
import { VECTORS } from "./_signing.ts";

function fromEnv(name: string, fallback: number): number {
  const granted = Deno.permissions.querySync({ name: "env", variable: name })
    .state === "granted";
  const text = granted ? Deno.env.get(name) : undefined;
  return text === undefined || text === "" ? fallback : Number(text);
}

const SEED = fromEnv("FC_SEED", 20261201);
const RUNS = fromEnv("FC_RUNS", 150);

/** The secret that must never leave the URL: no log record, no result. */
const MARK = "Mk7zSecretQ9";

// --- Hostile values, described by plain data so that fast-check can print a
// counterexample, and built afresh in each run.

type Hostile =
  | { unprintable: number }
  | { anything: unknown }
  | { error: string };

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  fc.record({ unprintable: fc.nat({ max: UNPRINTABLE.length - 1 }) }),
  fc.record({ anything: fc.anything() }),
  fc.record({ error: fc.string() }),
);

function build(value: Hostile): unknown {
  if ("unprintable" in value) return UNPRINTABLE[value.unprintable]![1]();
  if ("error" in value) return new Error(value.error);
  return value.anything;
}

/** A Proxy whose every read throws. */
function throwingProxy<T extends object>(target: T): T {
  const fail = () => {
    throw new Error("trap");
  };
  return new Proxy(target, {
    get: fail,
    has: fail,
    ownKeys: fail,
    getOwnPropertyDescriptor: fail,
    getPrototypeOf: fail,
  });
}

// --- The URL: a marker in its user info or query (never in its path, which
// is logged as it is), in forms that parse and forms that do not.

const url: fc.Arbitrary<UrlPlan> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(
      fc.constantFrom("http:", "https:", "HTTP:", "ftp:"),
      fc.constantFrom("//", "/", "", "\\\\", "/\\"),
      fc.constantFrom("", `user:${MARK}@`, `${MARK}@`, `${MARK}:x@`),
      fc.constantFrom(
        "hooks.example",
        "127.0.0.1",
        "[::1]",
        "hooks.example:99999",
        "bad host",
        "10.0.0.1",
      ),
      fc.constantFrom("", "/", "/in", "/a(b)/c)", "/x%20y/"),
      fc.constantFrom(
        "",
        `?token=${MARK}`,
        `?a=1&t=${MARK}(x)`,
        `?${MARK}`,
        `?t=${MARK}&u=`,
      ),
      fc.constantFrom("", `#${MARK}`),
    ).map((parts) => ({ text: parts.join(""), asUrl: false })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ text: fc.webUrl(), asUrl: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ hostile }) },
);

type UrlPlan = { text: string; asUrl: boolean } | { hostile: Hostile };

function buildUrl(plan: UrlPlan): unknown {
  if ("hostile" in plan) return build(plan.hostile);
  if (!plan.asUrl) return plan.text;
  try {
    return new URL(plan.text);
  } catch {
    return plan.text;
  }
}

// --- The payload: JSON, anything, and what JSON.stringify refuses.

const payload = fc.oneof(
  fc.record({ json: fc.jsonValue() }),
  fc.record({
    value: fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
      withDate: true,
    }),
  }),
  fc.record({ toJSONThrows: hostile }),
  fc.record({ special: fc.constantFrom("bigint", "cycle", "undefined", "fn") }),
);

type PayloadPlan = typeof payload extends fc.Arbitrary<infer T> ? T : never;

function buildPayload(plan: PayloadPlan): unknown {
  if ("json" in plan) return plan.json;
  if ("value" in plan) return plan.value;
  if ("toJSONThrows" in plan) {
    const thrown = plan.toJSONThrows;
    return {
      toJSON() {
        throw build(thrown);
      },
    };
  }
  switch (plan.special) {
    case "bigint":
      return { n: 10n };
    case "cycle": {
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      return cycle;
    }
    case "undefined":
      return undefined;
    case "fn":
      return () => {};
  }
}

// --- Per-delivery options.

const id = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 300 }),
  fc.stringMatching(/^[a-z0-9_]{1,20}$/),
  fc.record({ hostile }),
  fc.integer(),
);

const headers = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), {
    maxKeys: 3,
  }),
  fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string()), {
    maxLength: 3,
  }),
  fc.constantFrom("throwing", "revoked", "Headers"),
);

type SignalPlan =
  | "none"
  | "fake"
  | "throwing getter"
  | "throwing Proxy"
  | { abortBefore: Hostile }
  | { abortAfterMs: number; reason: Hostile };

const signal: fc.Arbitrary<SignalPlan> = fc.oneof(
  fc.constantFrom("none", "fake", "throwing getter", "throwing Proxy"),
  fc.record({ abortBefore: hostile }),
  fc.record({ abortAfterMs: fc.nat({ max: 40 }), reason: hostile }),
);

const sendOptions = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("undefined", "null", "throwing") },
  {
    weight: 6,
    arbitrary: fc.record({ id, headers, signal }, { requiredKeys: [] }),
  },
);

// --- What the custom fetch does, one plan per attempt.

const BODIES = [
  "none",
  "endless",
  "stalled",
  "empty chunks",
  "not bytes",
  "errors",
  "stuck cancel",
] as const;

const responsePlan = fc.record({
  status: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(200, 204, 302, 404, 429, 500, 503),
    },
    { weight: 4, arbitrary: fc.integer({ min: 100, max: 599 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 99, 600, NaN, 200.5, "200") },
  ),
  body: fc.oneof(fc.constantFrom(...BODIES), fc.string({ maxLength: 700 })),
  retryAfter: fc.option(
    fc.oneof(
      fc.constantFrom("0", "1", "-1", "abc", "99999999", ""),
      fc.constantFrom("Wed, 21 Oct 2015 07:28:00 GMT"),
    ),
  ),
  location: fc.option(
    fc.constantFrom(
      `//user:${MARK}@elsewhere.example/x`,
      `http://user:${MARK}@elsewhere.example/x`,
      `https:user:${MARK}@elsewhere.example/x`,
      `/moved?token=${MARK}`,
      `http://elsewhere.example:99999/x?t=${MARK}`,
      "not a url",
    ),
  ),
  headersThrow: fc.boolean(),
});

type FetchPlan =
  | { throws: Hostile }
  | { rejects: Hostile }
  | { quotes: number; code: string | null }
  | { resolves: unknown }
  | { returnsAtOnce: "a Response" | "junk" | "a thenable that throws" }
  | { response: typeof responsePlan extends fc.Arbitrary<infer T> ? T : never }
  | "hang"
  | { abortsCaller: Hostile };

const fetchPlan: fc.Arbitrary<FetchPlan> = fc.oneof(
  fc.record({ throws: hostile }),
  fc.record({ rejects: hostile }),
  fc.record({
    quotes: fc.nat({ max: 4 }),
    code: fc.option(fc.constantFrom("ECONNREFUSED", "ENOTFOUND", "ECONNRESET")),
  }),
  fc.record({ resolves: fc.anything() }),
  fc.record({
    returnsAtOnce: fc.constantFrom(
      "a Response" as const,
      "junk" as const,
      "a thenable that throws" as const,
    ),
  }),
  { arbitrary: fc.record({ response: responsePlan }), weight: 4 },
  fc.constant("hang" as const),
  fc.record({ abortsCaller: hostile }),
);

const QUOTES = [
  (u: string) => `error sending request for url (${u}): Connection refused`,
  (u: string) => `request to "${u}" failed`,
  (u: string) => `<${u}>.`,
  (u: string) => `at${u}, then`,
  (u: string) => `url=${u}`,
];

function bodyStream(kind: (typeof BODIES)[number]): ReadableStream | null {
  switch (kind) {
    case "none":
      return null;
    case "endless":
      return new ReadableStream({
        pull: (c) => c.enqueue(new Uint8Array(8192).fill(65)),
      });
    case "stalled":
      return new ReadableStream({
        start: (c) => c.enqueue(new Uint8Array([123])),
        pull: () => new Promise(() => {}),
      });
    case "empty chunks":
      return new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(0)) });
    case "not bytes":
      return new ReadableStream({ start: (c) => c.enqueue("text") });
    case "errors":
      return new ReadableStream({
        start: (c) => c.error(Object.create(null)),
      });
    case "stuck cancel":
      return new ReadableStream({
        pull: (c) => c.enqueue(new Uint8Array(8192).fill(66)),
        cancel: () => new Promise(() => {}),
      });
  }
}

function respond(
  plan: typeof responsePlan extends fc.Arbitrary<infer T> ? T : never,
): unknown {
  const init: Record<string, string> = {};
  if (plan.retryAfter !== null) init["retry-after"] = plan.retryAfter;
  if (plan.location !== null) init["location"] = plan.location;
  const body =
    typeof plan.body === "string" && !BODIES.includes(plan.body as never)
      ? plan.body
      : bodyStream(plan.body as (typeof BODIES)[number]);
  const { status } = plan;
  const real = typeof status === "number" && Number.isInteger(status) &&
    status >= 200 && status <= 599 && !plan.headersThrow &&
    (body === null || ![204, 205, 304].includes(status));
  if (real) return new Response(body, { status, headers: init });
  return {
    status,
    body: typeof body === "string" ? new Response(body).body : body,
    get headers() {
      if (plan.headersThrow) throw Object.create(null);
      return new Headers(init);
    },
  };
}

function customFetch(
  plans: readonly FetchPlan[],
  controller: AbortController,
): FetchFunction {
  let call = 0;
  return (target) => {
    const plan = plans[call++ % plans.length]!;
    if (plan === "hang") return new Promise(() => {});
    if ("throws" in plan) throw build(plan.throws);
    if ("rejects" in plan) return Promise.reject(build(plan.rejects));
    if ("quotes" in plan) {
      const text = QUOTES[plan.quotes]!(String(target));
      return Promise.reject(
        new TypeError("fetch failed", {
          cause: Object.assign(
            new Error(text),
            plan.code ? { code: plan.code } : {},
          ),
        }),
      );
    }
    if ("resolves" in plan) return Promise.resolve(plan.resolves as Response);
    if ("returnsAtOnce" in plan) {
      // What a JavaScript caller may return where a promise is typed.
      switch (plan.returnsAtOnce) {
        case "a Response":
          return new Response(null, { status: 204 }) as never;
        case "junk":
          return 42 as never;
        case "a thenable that throws":
          return {
            get then() {
              throw Object.create(null);
            },
          } as never;
      }
    }
    if ("abortsCaller" in plan) {
      controller.abort(build(plan.abortsCaller));
      return new Promise(() => {});
    }
    return Promise.resolve(respond(plan.response) as Response);
  };
}

// --- The service's own options.

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const serviceOptions = fc.record({
  timeoutMs: fc.integer({ min: 10, max: 60 }),
  retryDelaysMs: fc.array(fc.nat({ max: 5 }), { maxLength: 2 }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  maxRetryAfterMs: fc.nat({ max: 20 }),
  maxPayloadBytes: fc.option(fc.integer({ min: 1, max: 200 })),
  signed: fc.boolean(),
  logger: fc.constantFrom("plain", "throws", "rejects", "returns junk"),
  retryOnStatus: fc.oneof(
    fc.constantFrom("true", "false", "throws", "rejects", "default"),
    fc.record({ returns: fc.anything() }),
  ),
  resolveHost: fc.oneof(
    { weight: 4, arbitrary: fc.constant("off" as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "public",
        "private",
        "junk",
        "throws",
        "rejects",
        "hangs",
      ),
    },
  ),
  fetch: fc.array(fetchPlan, { minLength: 1, maxLength: 3 }),
});

type ServicePlan = typeof serviceOptions extends fc.Arbitrary<infer T> ? T
  : never;

function captureAll(plan: ServicePlan["logger"], records: CapturedRecord[]) {
  const method =
    (level: LogLevel) =>
    (message: string, fields: Record<string, unknown>): unknown => {
      records.push({ level, message, fields: { ...fields } });
      switch (plan) {
        case "throws":
          throw Object.create(null);
        case "rejects":
          return Promise.reject(new Error("logger"));
        case "returns junk":
          return { then: 1 };
      }
      return undefined;
    };
  return Object.fromEntries(
    LEVELS.map((l) => [l, method(l)]),
  ) as unknown as Logger;
}

function retryOnStatus(plan: ServicePlan["retryOnStatus"]) {
  if (typeof plan === "object") return () => plan.returns as boolean;
  switch (plan) {
    case "true":
      return () => true;
    case "false":
      return () => false;
    case "throws":
      return () => {
        throw Object.create(null);
      };
    case "rejects":
      return () => Promise.reject(new Error("no")) as unknown as boolean;
    case "default":
      return undefined;
  }
}

function resolveHost(
  plan: ServicePlan["resolveHost"],
): WebhookDeliveryOptions["resolveHost"] {
  switch (plan) {
    case "off":
      return undefined;
    case "public":
      return () => Promise.resolve(["93.184.215.14"]);
    case "private":
      return () => Promise.resolve(["10.1.2.3"]);
    case "junk":
      return () => Promise.resolve([Object.create(null)] as string[]);
    case "throws":
      return () => {
        throw UNPRINTABLE[1]![1]();
      };
    case "rejects":
      return () => Promise.reject(UNPRINTABLE[3]![1]());
    case "hangs":
      return () => new Promise(() => {});
  }
}

/** How long a delivery may take at most, with ample room for a busy machine. */
function boundMs(plan: ServicePlan): number {
  const attempts = plan.retryDelaysMs.length + 1;
  const waits = plan.retryDelaysMs.reduce((sum, ms) => sum + ms, 0) +
    plan.maxRetryAfterMs * attempts;
  return plan.timeoutMs * (attempts + 1) + waits + 2_000;
}

/** Rejects once `ms` has passed, so that a hang fails instead of stalling. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`send() still pending after ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function buildSignal(
  plan: SignalPlan,
  controller: AbortController,
  timers: ReturnType<typeof setTimeout>[],
): unknown {
  switch (plan) {
    case "none":
      return undefined;
    case "fake":
      return {
        aborted: false,
        addEventListener() {},
        removeEventListener() {},
      };
    case "throwing getter":
      return {
        get aborted(): boolean {
          throw Object.create(null);
        },
        addEventListener() {},
        removeEventListener() {},
      };
    case "throwing Proxy":
      return throwingProxy(controller.signal);
  }
  if ("abortBefore" in plan) {
    controller.abort(build(plan.abortBefore));
  } else {
    const reason = plan.reason;
    timers.push(
      setTimeout(() => controller.abort(build(reason)), plan.abortAfterMs),
    );
  }
  return controller.signal;
}

function buildHeaders(plan: unknown): unknown {
  switch (plan) {
    case "throwing":
      return throwingProxy({});
    case "revoked":
      return UNPRINTABLE[1]![1]();
    case "Headers":
      return new Headers({ "x-a": "1" });
  }
  return plan;
}

type SendPlan = typeof sendOptions extends fc.Arbitrary<infer T> ? T : never;

function buildSendOptions(
  plan: SendPlan,
  controller: AbortController,
  timers: ReturnType<typeof setTimeout>[],
): unknown {
  if (plan === "undefined") return undefined;
  if (plan === "null") return null;
  if (plan === "throwing") return throwingProxy({});
  const options: Record<string, unknown> = {};
  if ("id" in plan) {
    options.id = typeof plan.id === "object" && plan.id !== undefined
      ? build(plan.id.hostile)
      : plan.id;
  }
  if ("headers" in plan) options.headers = buildHeaders(plan.headers);
  if ("signal" in plan) {
    options.signal = buildSignal(plan.signal!, controller, timers);
  }
  return options;
}

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

/**
 * Input that passes the checks, so that deliveries reach the custom fetch:
 * what it and the other callbacks do is what varies.
 */
const validUrl: fc.Arbitrary<UrlPlan> = fc.tuple(
  fc.constantFrom("http://", "https://"),
  fc.constantFrom("", `user:${MARK}@`, `${MARK}@`, `:${MARK}@`),
  fc.constantFrom("hooks.example", "hooks.example", "203.0.113.9", "[::1]"),
  fc.constantFrom("/", "/in", "/a(b)/c)"),
  fc.constantFrom("", `?token=${MARK}`, `?a=1&t=(${MARK})`, `?${MARK}`),
).map((parts) => ({ text: parts.join(""), asUrl: false }));

const validSendOptions: fc.Arbitrary<SendPlan> = fc.record({
  id: fc.option(fc.stringMatching(/^[a-z0-9_]{1,20}$/), { nil: undefined }),
  signal: fc.oneof(
    { weight: 3, arbitrary: fc.constant("none" as const) },
    { weight: 2, arbitrary: signal },
  ),
}, { requiredKeys: [] });

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
