/**
 * What `properties_test.ts` makes a custom `fetch`, the logger,
 * `retryOnStatus` and `resolveHost` do, and the service options around them.
 *
 * @module
 */
import fc from "fast-check";
import type { FetchFunction, Logger, LogLevel } from "../mod.ts";
import type { WebhookDeliveryOptions } from "../mod.ts";
import type { CapturedRecord } from "./_capture_logger.ts";
import { UNPRINTABLE } from "./_hostile.ts";
import { build, type Hostile, hostile, MARK } from "./_input_plans.ts";

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

export type FetchPlan =
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

export function customFetch(
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

export const serviceOptions = fc.record({
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

export type ServicePlan = typeof serviceOptions extends fc.Arbitrary<infer T>
  ? T
  : never;

export function captureAll(
  plan: ServicePlan["logger"],
  records: CapturedRecord[],
) {
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

export function retryOnStatus(plan: ServicePlan["retryOnStatus"]) {
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

export function resolveHost(
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
export function boundMs(plan: ServicePlan): number {
  const attempts = plan.retryDelaysMs.length + 1;
  const waits = plan.retryDelaysMs.reduce((sum, ms) => sum + ms, 0) +
    plan.maxRetryAfterMs * attempts;
  return plan.timeoutMs * (attempts + 1) + waits + 2_000;
}
