import type { DeliveryError } from "./delivery_result.ts";
import type { ResolveHostFunction } from "./options.ts";
import { textOf } from "../_shared/_safe_text.ts";
import { abortable, withTimeout } from "./_abort.ts";
import { blockedRange, parseIpAddress } from "./_ip_address.ts";

/** How the guard checks one destination. */
export interface DestinationCheck {
  url: URL;
  resolveHost: ResolveHostFunction | undefined;
  /** How long `resolveHost` may take. */
  timeoutMs: number;
  /** The caller's signal: when it fires, the check stops without a verdict. */
  signal: AbortSignal | undefined;
}

const SUFFIX = ", and 'blockPrivateNetworks' is on";

/**
 * Checks that a URL does not point into the sender's own networks, resolving
 * its host name when a resolver is given. Returns the reason to refuse it,
 * or `undefined` to let it through; also `undefined` when the caller's
 * signal fires, which the caller reports as an abort.
 *
 * Whatever cannot be checked is refused: the guard fails closed.
 */
export async function checkDestination(
  check: DestinationCheck,
): Promise<DeliveryError | undefined> {
  const host = check.url.hostname;
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name === "localhost" || name.endsWith(".localhost")) {
    return blocked(`The destination ${host} is localhost${SUFFIX}`);
  }
  const address = parseIpAddress(host);
  if (address) {
    const range = blockedRange(address);
    return range === undefined
      ? undefined
      : blocked(`The destination ${host} is ${range}${SUFFIX}`);
  }
  if (!check.resolveHost) return undefined;

  const resolved = await resolve(check.resolveHost, host, check);
  if (resolved === "aborted") return undefined;
  if (typeof resolved === "string") {
    return blocked(`Cannot check the destination ${host} as ${resolved}`);
  }
  for (const text of resolved) {
    const resolvedAddress = parseIpAddress(text);
    if (!resolvedAddress) {
      return blocked(
        `Cannot check the destination ${host} as 'resolveHost' returned ${
          JSON.stringify(text.slice(0, 100))
        }, which is not an IP address`,
      );
    }
    const range = blockedRange(resolvedAddress);
    if (range) {
      return blocked(
        `The destination ${host} resolves to ${text}, ${range}${SUFFIX}`,
      );
    }
  }
  return undefined;
}

function blocked(message: string): DeliveryError {
  return { kind: "blocked_destination", message };
}

/**
 * Calls `resolveHost` within `timeoutMs`. Returns the addresses, `"aborted"`
 * when the caller's signal fired, or why there are no addresses to check.
 */
async function resolve(
  resolveHost: ResolveHostFunction,
  host: string,
  check: DestinationCheck,
): Promise<string[] | "aborted" | string> {
  const deadline = withTimeout(check.signal, check.timeoutMs);
  const { signal } = deadline;
  try {
    // A resolver that ignores its signal must not hold the delivery.
    const addresses: unknown = await abortable(
      resolveHost(host, { signal }),
      signal,
    );
    if (check.signal?.aborted) return "aborted";
    if (
      !Array.isArray(addresses) ||
      !addresses.every((address) => typeof address === "string")
    ) {
      return "'resolveHost' did not return an array of strings";
    }
    if (addresses.length === 0) return "'resolveHost' returned no address";
    return addresses;
  } catch (error) {
    if (check.signal?.aborted) return "aborted";
    if (deadline.timedOut) {
      return `'resolveHost' did not answer within ${check.timeoutMs} ms`;
    }
    return `'resolveHost' failed: ${textOf(error)}`.slice(0, 500);
  } finally {
    deadline.unlink();
  }
}
