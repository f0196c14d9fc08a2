import type { ClaimOptions } from "./store.ts";

/** A due, unleased message, in the order claims take them. */
export interface ClaimCandidate {
  id: string;
  endpoint: string;
}

/**
 * Picks which candidates to claim: at most `limit`, oldest due first, and no
 * endpoint past its limit counting the leases it holds already. One store
 * and another differ in how they find candidates, not in this.
 */
export function planClaim(
  candidates: Iterable<ClaimCandidate>,
  leasedByEndpoint: ReadonlyMap<string, number>,
  options: Pick<ClaimOptions, "limit" | "endpointLimit" | "endpointLimits">,
): ClaimCandidate[] {
  const taken = new Map<string, number>();
  const chosen: ClaimCandidate[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= options.limit) break;
    const limit = options.endpointLimits?.get(candidate.endpoint) ??
      options.endpointLimit;
    const held = taken.get(candidate.endpoint) ??
      leasedByEndpoint.get(candidate.endpoint) ?? 0;
    if (held >= limit) continue;
    taken.set(candidate.endpoint, held + 1);
    chosen.push(candidate);
  }
  return chosen;
}

/** Why a message goes dead when its claims keep ending without a result. */
export function abandonedReason(claims: number): string {
  return `Claimed ${claims} times without a result: the process delivering it stopped each time`;
}

/** A lease token nobody else holds. */
export function newToken(): string {
  return crypto.randomUUID();
}

/** The reason new messages of a disabled endpoint are stored dead with. */
export function disabledReason(reason: string): string {
  return `Endpoint disabled: ${reason}`;
}

/** The error of a store that cannot join the caller's transaction. */
export function noTransaction(store: string): TypeError {
  return new TypeError(
    `${store} cannot join a transaction: enqueue without 'transaction', or use PostgresStore`,
  );
}
