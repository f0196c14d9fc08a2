/**
 * Every way a delivery waits on something it does not control ends on a
 * signal: the attempt's timeout, the caller's abort, or both linked. The
 * helpers here are the only places that join promises, timers and signals.
 *
 * @module
 */

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as the
 * signal aborts, whichever comes first, so that user code that ignores its
 * signal (a custom `fetch`, its body, `resolveHost`) cannot hold a delivery.
 * The listener is removed once it has settled.
 */
export function abortable<T>(
  promise: PromiseLike<T>,
  signal: AbortSignal,
): Promise<T> {
  if (signal.aborted) {
    // Nobody will await the losing promise: keep its rejection handled.
    Promise.resolve(promise).catch(() => {});
    return Promise.reject(signal.reason);
  }
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
  });
  signal.addEventListener("abort", onAbort, { once: true });
  return Promise.race([promise, aborted]).finally(() =>
    signal.removeEventListener("abort", onAbort)
  );
}

/**
 * The caller's signal and an attempt's timeout as one signal, which aborts
 * with the reason of whichever fired first. Hand-made rather than
 * `AbortSignal.any`, which Node.js only has from 20.3; `unlink()` removes
 * the listener from the caller's signal, which outlives the attempt. (Not a
 * `Disposable`: Node.js 20.0 has no `Symbol.dispose`.)
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Whether it was the timeout that fired. */
  readonly timedOut: boolean;
  unlink(): void;
}

/** Links the caller's signal, when there is one, with a fresh timeout. */
export function withTimeout(
  caller: AbortSignal | undefined,
  timeoutMs: number,
): LinkedSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  if (caller === undefined) {
    return {
      signal: timeout,
      get timedOut() {
        return timeout.aborted;
      },
      unlink() {},
    };
  }
  const controller = new AbortController();
  const onTimeout = () => controller.abort(timeout.reason);
  const onCallerAbort = () => controller.abort(caller.reason);
  if (caller.aborted) onCallerAbort();
  timeout.addEventListener("abort", onTimeout, { once: true });
  caller.addEventListener("abort", onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timeout.aborted && !caller.aborted;
    },
    unlink() {
      timeout.removeEventListener("abort", onTimeout);
      caller.removeEventListener("abort", onCallerAbort);
    },
  };
}

/**
 * Waits `ms` milliseconds through the global `setTimeout`, so fake timers
 * reach it; ends early, without a timer left behind, when `signal` aborts.
 * Never rejects.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
