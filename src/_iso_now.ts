let cachedMs = Number.NaN;
let cachedIso = "";

/**
 * The current time as ISO 8601, the same string as
 * `new Date().toISOString()`. Formatting a date was the largest single item
 * of deliver()'s own cost in the CPU profiles of bench/ (about 5 % of its
 * throughput), and a busy service starts many attempts and logs many records
 * within one millisecond: the string of the current millisecond is reused.
 * The clock is read through `Date.now()`, so fake timers reach it.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== cachedMs) {
    cachedMs = now;
    cachedIso = new Date(now).toISOString();
  }
  return cachedIso;
}
