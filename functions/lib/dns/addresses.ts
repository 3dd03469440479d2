import ipaddr from 'ipaddr.js';

export type RecordType = 'A' | 'AAAA';

export interface ParsedAddress {
  /** The canonical text (dotted quad, or RFC 5952 compressed IPv6), as written to the record. */
  value: string;
  recordType: RecordType;
  /** ipaddr.js's special-range name; `unicast` means globally routable. */
  range: string;
}

/**
 * Strict syntax only: ipaddr.js alone also accepts forms like `0x7f.1` or `127.1` and IPv6 zone ids
 * (`fe80::1%eth0`), none of which belong in a DNS record.
 */
export function parseAddress(raw: string): ParsedAddress | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(raw)) {
    const address = ipaddr.IPv4.parse(raw);
    return { value: address.toString(), recordType: 'A', range: address.range() };
  }
  if (!raw.includes('%') && ipaddr.IPv6.isValid(raw)) {
    const address = ipaddr.IPv6.parse(raw);
    return { value: address.toString(), recordType: 'AAAA', range: address.range() };
  }
  return undefined;
}

/**
 * Never a host's own address, so never published even when non-public addresses are allowed. An
 * IPv4-mapped IPv6 address is an IPv4 address in disguise: the client should send it as IPv4 (an A record).
 */
const NEVER_ALLOWED = new Set(['unspecified', 'broadcast', 'multicast', 'ipv4Mapped']);

/**
 * Why an address may not be published, or undefined when it may. Deny by default: anything but a
 * globally routable unicast address (private, loopback, link-local, carrier-grade NAT, unique-local,
 * documentation, benchmarking, reserved, tunnelling and translation prefixes...) needs `allowNonPublic`.
 */
export function addressRefusal(address: ParsedAddress, allowNonPublic: boolean): string | undefined {
  if (address.range === 'unicast') return undefined;
  if (NEVER_ALLOWED.has(address.range))
    return `address ${address.value} is ${address.range}, not a host address`;
  if (allowNonPublic) return undefined;
  return `address ${address.value} is in the ${address.range} range, not a public address`;
}

/** Equal addresses whatever their spelling (`2001:DB8:0::1` and `2001:db8::1`). */
export function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
  } catch {
    return false;
  }
}
