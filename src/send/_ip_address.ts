/** An IP address: four bytes, or eight 16-bit groups. */
export type IpAddress =
  | { version: 4; bytes: readonly number[] }
  | { version: 6; groups: readonly number[] };

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses an IP address in any spelling the WHATWG URL parser accepts in a
 * host (`127.1`, `0x7f.0.0.1`, `2130706433`, `[::ffff:127.0.0.1]`, …), with
 * or without brackets, and with an IPv6 zone (`fe80::1%eth0`), which is
 * ignored. Returns `undefined` for anything else, domain names included.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  let host = text;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const zone = host.indexOf("%");
  if (zone !== -1 && host.includes(":")) host = host.slice(0, zone);
  // Only characters that can spell an address, so the URL parser below
  // cannot read a user name, port or path out of the text.
  if (!/^[0-9A-Za-z.:]+$/.test(host)) return undefined;
  let canonical: string;
  try {
    canonical = new URL(
      host.includes(":") ? `http://[${host}]/` : `http://${host}/`,
    ).hostname;
  } catch {
    return undefined;
  }
  if (canonical.startsWith("[")) {
    const groups = expandIpv6(canonical.slice(1, -1));
    return groups && { version: 6, groups };
  }
  const match = DOTTED_QUAD.exec(canonical);
  if (!match) return undefined;
  return { version: 4, bytes: match.slice(1).map(Number) };
}

/** Expands the URL parser's compressed IPv6 form into eight groups. */
function expandIpv6(text: string): number[] | undefined {
  const [head = "", tail, extra] = text.split("::");
  if (extra !== undefined) return undefined;
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((group) => parseInt(group, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}

/**
 * Names the non-public range an address is in (loopback, private, …), or
 * returns `undefined` for an address the guard lets through.
 */
export function blockedRange(address: IpAddress): string | undefined {
  if (address.version === 4) return blockedIpv4Range(address.bytes);
  const g = address.groups;
  const at = (index: number) => g[index] ?? 0;
  const zerosUpTo = (end: number) => g.slice(0, end).every((x) => x === 0);
  if (zerosUpTo(8)) return "the unspecified address (::)";
  if (zerosUpTo(7) && g[7] === 1) return "a loopback address (::1)";
  const embedded = [at(6) >> 8, at(6) & 0xff, at(7) >> 8, at(7) & 0xff];
  if (zerosUpTo(5) && g[5] === 0xffff) {
    const range = blockedIpv4Range(embedded);
    return range && `${range}, IPv4-mapped (::ffff:0:0/96)`;
  }
  if (zerosUpTo(6)) {
    const range = blockedIpv4Range(embedded);
    return range && `${range}, IPv4-compatible (::/96)`;
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    const range = blockedIpv4Range(embedded);
    return range && `${range}, through NAT64 (64:ff9b::/96)`;
  }
  const first = at(0);
  if ((first & 0xfe00) === 0xfc00) return "a unique local address (fc00::/7)";
  if ((first & 0xffc0) === 0xfe80) return "a link-local address (fe80::/10)";
  if ((first & 0xffc0) === 0xfec0) return "a site-local address (fec0::/10)";
  return undefined;
}

function blockedIpv4Range(bytes: readonly number[]): string | undefined {
  const [a = 0, b = 0] = bytes;
  if (a === 0) return "an unspecified address (0.0.0.0/8)";
  if (a === 127) return "a loopback address (127.0.0.0/8)";
  if (a === 10) return "a private address (10.0.0.0/8)";
  if (a === 172 && (b & 0xf0) === 16) {
    return "a private address (172.16.0.0/12)";
  }
  if (a === 192 && b === 168) return "a private address (192.168.0.0/16)";
  if (a === 169 && b === 254) return "a link-local address (169.254.0.0/16)";
  if (a === 100 && (b & 0xc0) === 64) {
    return "a shared (CGNAT) address (100.64.0.0/10)";
  }
  return undefined;
}
