import type {
  BreakerSettings,
  EndpointChange,
  EndpointHealth,
  EndpointStatus,
} from "./store.ts";

/**
 * One endpoint's circuit breaker as a store keeps it. Closed (`trips` 0),
 * the endpoint is claimed as usual; open (paused until `pausedUntil`), it
 * is not claimed at all, so waiting messages spend no attempts; half-open
 * (the pause is over), one message at a time goes out as a probe, and its
 * result closes or reopens it. Every store applies these same rules; they
 * differ only in where the three numbers live.
 */
export interface BreakerState {
  /** Failures in a row. */
  failures: number;
  /** How many times in a row it has been paused. */
  trips: number;
  /** Milliseconds since the epoch; 0 when never paused. */
  pausedUntil: number;
}

/** A breaker that has seen no failure. */
export const CLOSED: BreakerState = { failures: 0, trips: 0, pausedUntil: 0 };

/** The claim limit a breaker sets: 0 while paused, 1 for a probe, none when closed. */
export function breakerLimit(
  state: BreakerState,
  now: number,
): number | undefined {
  if (state.trips === 0) return undefined;
  return state.pausedUntil > now ? 0 : 1;
}

/** Merges a breaker's limit into the claim's per-endpoint limits, the lower winning. */
export function mergeLimit(
  limits: Map<string, number>,
  endpoint: string,
  limit: number | undefined,
): void {
  if (limit === undefined) return;
  limits.set(endpoint, Math.min(limits.get(endpoint) ?? Infinity, limit));
}

/** The breaker after an attempt's result, and the change to report, if any. */
export function nextBreakerState(
  state: BreakerState,
  health: EndpointHealth,
  now: number,
  settings: BreakerSettings,
): { state: BreakerState; change?: EndpointChange } {
  if (health === "none") return { state };
  if (health === "success") {
    return state.trips > 0
      ? { state: CLOSED, change: { type: "resumed" } }
      : { state: CLOSED };
  }
  const failures = state.failures + 1;
  // An attempt that started before the pause and failed during it does not
  // extend it: only the probe's failure does.
  if (state.pausedUntil > now) return { state: { ...state, failures } };
  if (state.trips === 0 && failures < settings.failureThreshold) {
    return { state: { ...state, failures } };
  }
  const pauseMs = Math.min(
    settings.cooldownMs * 2 ** state.trips,
    settings.maxCooldownMs,
  );
  const next = { failures, trips: state.trips + 1, pausedUntil: now + pauseMs };
  return {
    state: next,
    change: { type: "paused", failures, until: next.pausedUntil },
  };
}

/** Whether two breaker states are the same, so a store can skip a write. */
export function sameBreaker(a: BreakerState, b: BreakerState): boolean {
  return a.failures === b.failures && a.trips === b.trips &&
    a.pausedUntil === b.pausedUntil;
}

/** Where an endpoint stands at `now`, from its switch and its breaker. */
export function endpointStatus(
  disabledReason: string | null,
  state: BreakerState,
  now: number,
): EndpointStatus {
  if (disabledReason !== null) return "disabled";
  if (state.trips === 0) return "active";
  return state.pausedUntil > now ? "paused" : "probing";
}
