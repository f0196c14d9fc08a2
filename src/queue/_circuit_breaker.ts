/** The circuit breaker's settings, with defaults applied. */
export interface BreakerSettings {
  failureThreshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

interface EndpointState {
  failures: number;
  /** How many times in a row it has been paused. */
  trips: number;
  /** While in the future, the endpoint gets no attempt; after, one probe. */
  pausedUntil: number;
}

/** A change of an endpoint's state that the queue reports. */
export type BreakerChange =
  | { type: "paused"; failures: number; until: number }
  | { type: "resumed" }
  | undefined;

/**
 * Per-endpoint circuit breakers of one process. Closed, an endpoint is
 * claimed as usual; open (paused), it is not claimed at all, so waiting
 * messages spend no attempts; half-open (the pause is over), one message
 * at a time is let through as a probe, and its result closes or reopens it.
 */
export class CircuitBreakers {
  readonly #settings: BreakerSettings;
  readonly #endpoints = new Map<string, EndpointState>();

  constructor(settings: BreakerSettings) {
    this.#settings = settings;
  }

  /** Endpoint limits for `claim`: 0 while paused, 1 for a probe. */
  limits(now: number): Map<string, number> {
    const limits = new Map<string, number>();
    for (const [endpoint, state] of this.#endpoints) {
      if (state.trips > 0) {
        limits.set(endpoint, state.pausedUntil > now ? 0 : 1);
      }
    }
    return limits;
  }

  /** The end of the nearest pause after `now`, to wake up for its probe. */
  nextResume(now: number): number | undefined {
    let next: number | undefined;
    for (const { trips, pausedUntil } of this.#endpoints.values()) {
      if (trips > 0 && pausedUntil > now) {
        next = Math.min(next ?? Infinity, pausedUntil);
      }
    }
    return next;
  }

  success(endpoint: string): BreakerChange {
    const state = this.#endpoints.get(endpoint);
    this.#endpoints.delete(endpoint);
    return state && state.trips > 0 ? { type: "resumed" } : undefined;
  }

  failure(endpoint: string, now: number): BreakerChange {
    const state = this.#endpoints.get(endpoint) ??
      { failures: 0, trips: 0, pausedUntil: 0 };
    this.#endpoints.set(endpoint, state);
    state.failures++;
    // An attempt that started before the pause and failed during it does
    // not extend it: only the probe's failure does.
    if (state.pausedUntil > now) return undefined;
    const { failureThreshold, cooldownMs, maxCooldownMs } = this.#settings;
    if (state.trips === 0 && state.failures < failureThreshold) {
      return undefined;
    }
    const pauseMs = Math.min(cooldownMs * 2 ** state.trips, maxCooldownMs);
    state.trips++;
    state.pausedUntil = now + pauseMs;
    return {
      type: "paused",
      failures: state.failures,
      until: state.pausedUntil,
    };
  }
}
