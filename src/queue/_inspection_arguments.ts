import { safeGet } from "../_shared/_safe_text.ts";
import type { ListOptions, ReplayFilter } from "./store.ts";

const STATUSES = new Set(["pending", "delivered", "dead"]);

/**
 * `list()`'s options, read once and checked, so that a store sees only
 * well-formed ones.
 *
 * @throws {RangeError} For a `limit` that is not an integer from 1 to 1000.
 * @throws {TypeError} For a `status`, `endpoint` or `cursor` of the wrong kind.
 */
export function checkListOptions(options: unknown): ListOptions {
  const status = safeGet(options, "status");
  const endpoint = safeGet(options, "endpoint");
  const limit = safeGet(options, "limit") ?? 100;
  const cursor = safeGet(options, "cursor");
  if (status !== undefined && !STATUSES.has(status as string)) {
    throw new TypeError(
      `The status must be "pending", "delivered" or "dead": current value is ${
        String(status)
      }`,
    );
  }
  optionalString("endpoint", endpoint);
  optionalString("cursor", cursor);
  if (
    !Number.isInteger(limit) || (limit as number) < 1 ||
    (limit as number) > 1_000
  ) {
    throw new RangeError(
      `The limit must be an integer from 1 to 1000: current value is ${
        String(limit)
      }`,
    );
  }
  return {
    status: status as ListOptions["status"],
    endpoint: endpoint as string | undefined,
    limit: limit as number,
    cursor: cursor as string | undefined,
  };
}

/**
 * A bulk replay's filter, read once and checked.
 *
 * @throws {TypeError} For an `endpoint` that is not a string, or `since` or `until` that are not finite numbers.
 */
export function checkReplayFilter(filter: unknown): ReplayFilter {
  const endpoint = safeGet(filter, "endpoint");
  const since = safeGet(filter, "since");
  const until = safeGet(filter, "until");
  optionalString("endpoint", endpoint);
  for (const [name, value] of [["since", since], ["until", until]] as const) {
    if (value !== undefined && !Number.isFinite(value)) {
      throw new TypeError(
        `The ${name} must be milliseconds since the epoch: current value is ${
          String(value)
        }`,
      );
    }
  }
  return {
    endpoint: endpoint as string | undefined,
    since: since as number | undefined,
    until: until as number | undefined,
  };
}

function optionalString(name: string, value: unknown): void {
  if (value !== undefined) checkString(name, value);
}

/**
 * An id, endpoint or reason as a store takes it.
 *
 * @throws {TypeError} When it is not a string.
 */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`The ${name} must be a string`);
  }
  return value;
}
