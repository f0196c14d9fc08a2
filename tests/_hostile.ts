import assert from "node:assert/strict";
import type { DeliveryResult } from "../mod.ts";
import type { CapturedRecord } from "./_capture_logger.ts";

/**
 * Values with no usable string form, as user code may throw, reject with or
 * abort with. Factories: each test gets fresh ones.
 */
export const UNPRINTABLE: readonly (readonly [string, () => unknown])[] = [
  ["an object without a prototype", () => Object.create(null)],
  ["a revoked Proxy", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }],
  [
    "an Error whose message is an object",
    () => Object.assign(new Error(), { message: { not: "a string" } }),
  ],
  [
    "an Error whose message getter throws",
    () =>
      Object.defineProperty(new Error(), "message", {
        get() {
          throw new Error("message getter");
        },
      }),
  ],
  ["an Error that is its own cause", () => {
    const error = new Error("loop");
    error.cause = error;
    return error;
  }],
];

/** What README documents as a delivery's outcome. */
export const OUTCOMES: ReadonlySet<string> = new Set([
  "delivered",
  "rejected",
  "exhausted",
  "invalid",
  "aborted",
]);

/** The fields of a record that are text whenever they are present. */
const TEXT_FIELDS = [
  "webhookId",
  "url",
  "outcome",
  "errorKind",
  "error",
  "responseExcerpt",
  "location",
] as const;

/**
 * Checks that a result is one of the documented shapes, that it can be
 * turned into JSON, and that every record has text where text belongs.
 */
export function assertWellFormed(
  result: DeliveryResult,
  records: readonly CapturedRecord[],
): void {
  assert.ok(OUTCOMES.has(result.outcome), `outcome ${result.outcome}`);
  assert.equal(result.ok, result.outcome === "delivered");
  assert.equal(typeof result.id, "string");
  assert.doesNotThrow(() => JSON.stringify(result));
  if (result.error) {
    assert.equal(typeof result.error.kind, "string");
    assert.equal(typeof result.error.message, "string");
  }
  for (const attempt of result.attempts) {
    if (attempt.error) assert.equal(typeof attempt.error.message, "string");
  }
  assert.ok(records.length > 0, "no log record");
  for (const record of records) {
    assert.equal(typeof record.message, "string");
    for (const field of TEXT_FIELDS) {
      if (field in record.fields) {
        assert.equal(typeof record.fields[field], "string", field);
      }
    }
    assert.doesNotThrow(() => JSON.stringify(record.fields));
  }
}
