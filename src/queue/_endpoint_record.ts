import { type BreakerState, endpointStatus } from "./_breaker_state.ts";
import type { EndpointRecord } from "./store.ts";

/** Messages of one endpoint by status. */
export interface EndpointCounts {
  pending: number;
  delivered: number;
  dead: number;
}

/** An endpoint as inspection shows it, from what every store keeps of it. */
export function endpointRecord(
  endpoint: string,
  counts: EndpointCounts,
  state: BreakerState,
  disabledReason: string | null,
  now: number,
): EndpointRecord {
  return {
    endpoint,
    status: endpointStatus(disabledReason, state, now),
    pending: counts.pending,
    delivered: counts.delivered,
    dead: counts.dead,
    failures: state.failures,
    pausedUntil: state.trips > 0
      ? new Date(state.pausedUntil).toISOString()
      : null,
    disabledReason,
  };
}
