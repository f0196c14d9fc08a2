import { safeGet } from "../_shared/_safe_text.ts";

/** The caller's signal, mirrored on one of the delivery's own. */
export interface AdoptedSignal {
  readonly signal: AbortSignal;
  /** Removes the listener from the caller's signal, which outlives the delivery. */
  release(): void;
}

/**
 * Mirrors whatever the caller passed as `signal` onto a signal of the
 * delivery's own, so that no getter of a foreign object runs again once the
 * delivery has started: a signal from another realm, a polyfill or a
 * `Proxy` is read here, once, and its abort reason is kept. Returns
 * `undefined` when the value is not an `AbortSignal` or cannot be read.
 */
export function adoptSignal(value: unknown): AdoptedSignal | undefined {
  const aborted = safeGet(value, "aborted");
  const add = safeGet(value, "addEventListener");
  const remove = safeGet(value, "removeEventListener");
  if (
    typeof aborted !== "boolean" || typeof add !== "function" ||
    typeof remove !== "function"
  ) return undefined;
  const controller = new AbortController();
  const onAbort = () => controller.abort(safeGet(value, "reason"));
  if (aborted) {
    onAbort();
    return { signal: controller.signal, release() {} };
  }
  try {
    add.call(value, "abort", onAbort, { once: true });
  } catch {
    return undefined;
  }
  return {
    signal: controller.signal,
    release() {
      try {
        remove.call(value, "abort", onAbort);
      } catch {
        // Nothing more to do for a signal that refuses.
      }
    },
  };
}
