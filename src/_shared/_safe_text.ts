/**
 * Reads `value[key]` without letting a getter or a `Proxy` trap throw:
 * user code can hand over any object, and a delivery must still end with an
 * outcome. Returns `undefined` when the read fails.
 */
export function safeGet(value: unknown, key: PropertyKey): unknown {
  if (
    (typeof value !== "object" && typeof value !== "function") ||
    value === null
  ) return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * A short text for any value that user code threw, rejected with or passed
 * as an abort reason: an `Error`'s message, a string as it is, other
 * primitives through `String`. Never throws, whatever the value is (an object
 * without a prototype, a revoked `Proxy`, a `message` getter that throws).
 */
export function textOf(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    case "symbol":
      return safeCall(() => value.toString()) ?? "a symbol";
    case "function":
      return "a function";
  }
  if (value === null) return "null";
  const message = safeGet(value, "message");
  if (typeof message === "string") return message;
  // Only a plain `toString` of the object itself is trusted: an inherited
  // one would print "[object Object]", which says nothing.
  const toString = safeGet(value, "toString");
  if (
    typeof toString === "function" && toString !== Object.prototype.toString
  ) {
    const text = safeCall(() => toString.call(value));
    if (typeof text === "string") return text;
  }
  return "an object that cannot be described";
}

function safeCall<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}
