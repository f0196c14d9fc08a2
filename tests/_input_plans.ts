/**
 * What `properties_test.ts` hands to `send()`: hostile values described by
 * plain data, so that fast-check can print a counterexample, and built
 * afresh in each run.
 *
 * @module
 */
import fc from "fast-check";
import { UNPRINTABLE } from "./_hostile.ts";

export const MARK = "Mk7zSecretQ9";

// --- Values that user code throws, rejects with or aborts with.

export type Hostile =
  | { unprintable: number }
  | { anything: unknown }
  | { error: string };

export const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  fc.record({ unprintable: fc.nat({ max: UNPRINTABLE.length - 1 }) }),
  fc.record({ anything: fc.anything() }),
  fc.record({ error: fc.string() }),
);

export function build(value: Hostile): unknown {
  if ("unprintable" in value) return UNPRINTABLE[value.unprintable]![1]();
  if ("error" in value) return new Error(value.error);
  return value.anything;
}

/** A Proxy whose every read throws. */
export function throwingProxy<T extends object>(target: T): T {
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

export const url: fc.Arbitrary<UrlPlan> = fc.oneof(
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

export type UrlPlan = { text: string; asUrl: boolean } | { hostile: Hostile };

export function buildUrl(plan: UrlPlan): unknown {
  if ("hostile" in plan) return build(plan.hostile);
  if (!plan.asUrl) return plan.text;
  try {
    return new URL(plan.text);
  } catch {
    return plan.text;
  }
}

// --- The payload: JSON, anything, and what JSON.stringify refuses.

export const payload = fc.oneof(
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

export type PayloadPlan = typeof payload extends fc.Arbitrary<infer T> ? T
  : never;

export function buildPayload(plan: PayloadPlan): unknown {
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

export type SignalPlan =
  | "none"
  | "fake"
  | "throwing getter"
  | "throwing Proxy"
  | { abortBefore: Hostile }
  | { abortAfterMs: number; reason: Hostile };

export const signal: fc.Arbitrary<SignalPlan> = fc.oneof(
  fc.constantFrom("none", "fake", "throwing getter", "throwing Proxy"),
  fc.record({ abortBefore: hostile }),
  fc.record({ abortAfterMs: fc.nat({ max: 40 }), reason: hostile }),
);

export const sendOptions = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("undefined", "null", "throwing") },
  {
    weight: 6,
    arbitrary: fc.record({ id, headers, signal }, { requiredKeys: [] }),
  },
);

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

export type SendPlan = typeof sendOptions extends fc.Arbitrary<infer T> ? T
  : never;

export function buildSendOptions(
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

/**
 * Input that passes the checks, so that deliveries reach the custom fetch:
 * what it and the other callbacks do is what varies.
 */
export const validUrl: fc.Arbitrary<UrlPlan> = fc.tuple(
  fc.constantFrom("http://", "https://"),
  fc.constantFrom("", `user:${MARK}@`, `${MARK}@`, `:${MARK}@`),
  fc.constantFrom("hooks.example", "hooks.example", "203.0.113.9", "[::1]"),
  fc.constantFrom("/", "/in", "/a(b)/c)"),
  fc.constantFrom("", `?token=${MARK}`, `?a=1&t=(${MARK})`, `?${MARK}`),
).map((parts) => ({ text: parts.join(""), asUrl: false }));

export const validSendOptions: fc.Arbitrary<SendPlan> = fc.record({
  id: fc.option(fc.stringMatching(/^[a-z0-9_]{1,20}$/), { nil: undefined }),
  signal: fc.oneof(
    { weight: 3, arbitrary: fc.constant("none" as const) },
    { weight: 2, arbitrary: signal },
  ),
}, { requiredKeys: [] });
