import type { DeliveryError } from "./delivery_result.ts";
import type { ResolveHostFunction } from "./options.ts";
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
  const timeout = AbortSignal.timeout(check.timeoutMs);
  // Combined by hand rather than with AbortSignal.any, which Node.js only has
  // from 20.3, keeping the reason of whichever signal fired first.
  const controller = new AbortController();
  const signal = controller.signal;
  const onTimeout = () => controller.abort(timeout.reason);
  const onCallerAbort = () => controller.abort(check.signal?.reason);
  timeout.addEventListener("abort", onTimeout, { once: true });
  check.signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (check.signal?.aborted) onCallerAbort();
  // A resolver that ignores its signal must not hold the delivery forever.
  let onAbort = () => {};
  const stopped = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const outcome = await Promise.race([
      (async () => ({
        addresses: await resolveHost(host, { signal }),
      }))(),
      stopped.then(() => undefined),
    ]);
    if (check.signal?.aborted) return "aborted";
    if (outcome === undefined) {
      return `'resolveHost' did not answer within ${check.timeoutMs} ms`;
    }
    const { addresses } = outcome;
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
    if (timeout.aborted) {
      return `'resolveHost' did not answer within ${check.timeoutMs} ms`;
    }
    return `'resolveHost' failed: ${
      error instanceof Error ? error.message : String(error)
    }`.slice(0, 500);
  } finally {
    signal.removeEventListener("abort", onAbort);
    timeout.removeEventListener("abort", onTimeout);
    check.signal?.removeEventListener("abort", onCallerAbort);
  }
}
