let cachedSecond = Number.NaN;
let cachedPrefix = "";

/**
 * The current time as ISO 8601, the same string as
 * `new Date().toISOString()`. Formatting a date is costly next to the rest
 * of a delivery's own work (see bench/NOTES.md), so the date up to the
 * seconds is formatted once a second, and only the milliseconds are added
 * per call. The clock is read through `Date.now()`, so fake timers
 * reach it.
 */
export function isoNow(): string {
  return isoString(Date.now());
}

/** `new Date(ms).toISOString()`, from the cache of the last second used. */
export function isoString(time: number): string {
  // As a Date does: a fractional time (a fake clock's) is cut to whole ms.
  const ms = Math.trunc(time);
  const second = Math.floor(ms / 1_000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    // "2026-11-28T12:00:00.000Z" without "000Z"; years beyond 9999 or
    // before 0 make the date longer, never the end.
    cachedPrefix = new Date(second * 1_000).toISOString().slice(0, -4);
  }
  return `${cachedPrefix}${String(ms - second * 1_000).padStart(3, "0")}Z`;
}
