/**
 * Parses a `Retry-After` header, either delay-seconds or an HTTP date, into
 * milliseconds from `nowMs`. Returns `undefined` when absent or unreadable.
 */
export function parseRetryAfterMs(
  value: string | null,
  nowMs: number,
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** What decides the wait before a retry. */
export interface RetryDelayInput {
  /** This retry's entry of `retryDelaysMs`. */
  scheduledMs: number;
  /** Fraction of the scheduled delay that may be cut at random. */
  jitter: number;
  /** What the response's `Retry-After` asked for, if anything. */
  retryAfterMs: number | undefined;
  /** The cap on `retryAfterMs`. */
  maxRetryAfterMs: number;
}

/**
 * The wait before a retry, in whole milliseconds: the scheduled delay less
 * up to `jitter` of it, or the (capped) `Retry-After` when that is longer.
 */
export function retryDelayMs(input: RetryDelayInput): number {
  const scheduled = input.jitter === 0
    ? input.scheduledMs
    : input.scheduledMs * (1 - input.jitter * Math.random());
  const retryAfter = Math.min(input.retryAfterMs ?? 0, input.maxRetryAfterMs);
  return Math.round(Math.max(scheduled, retryAfter));
}
