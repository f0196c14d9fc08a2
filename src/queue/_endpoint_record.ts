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

/** An endpoint as SQL stores read it: numbers may come back as text. */
export interface EndpointRow {
  endpoint: string;
  failures: number | string;
  trips: number | string;
  paused_until: number | string;
  pending: number | string;
  delivered: number | string;
  dead: number | string;
  disabled_reason: string | null;
}

/** {@linkcode endpointRecord} from a row of a SQL store. */
export function endpointRecordOfRow(
  row: EndpointRow,
  now: number,
): EndpointRecord {
  return endpointRecord(
    row.endpoint,
    {
      pending: Number(row.pending),
      delivered: Number(row.delivered),
      dead: Number(row.dead),
    },
    {
      failures: Number(row.failures),
      trips: Number(row.trips),
      pausedUntil: Number(row.paused_until),
    },
    row.disabled_reason,
    now,
  );
}
