/**
 * Waits `ms` milliseconds through the global `setTimeout`, so fake timers
 * reach it. Resolves `true` when the time has passed and `false` as soon as
 * `signal` aborts; never rejects, and never leaves a timer behind.
 */
export function wait(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
