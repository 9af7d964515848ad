import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a webhook may reach (SSRF guard): only public unicast ones in AWS. A webhook URL
 * is the caller's input, and the function that posts to it runs inside the client's AWS account,
 * where 169.254.169.254 (instance metadata), link-local services and private networks must stay out
 * of reach. Pure: no DNS here (adapters/guarded-http.ts resolves, checks with this, then connects
 * to the very address it checked, so DNS rebinding cannot slip in between).
 */

/** What an address is, for the error message and the local-mode exception. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'reserved';

/** Local mode accepts loopback receivers and http (one machine); the stack never sets this. */
export interface AddressPolicy {
  readonly allowLoopback: boolean;
}

const RANGES: ReadonlyArray<readonly [AddressKind, string, number, 'ipv4' | 'ipv6']> = [
  // RFC 6890 special-purpose registries, IPv4.
  ['reserved', '0.0.0.0', 8, 'ipv4'], // "this network", incl. the unspecified 0.0.0.0
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'], // CGNAT (RFC 6598)
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'], // incl. 169.254.169.254, the metadata service
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['reserved', '192.0.2.0', 24, 'ipv4'], // TEST-NET-1
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'], // benchmarking
  ['reserved', '198.51.100.0', 24, 'ipv4'], // TEST-NET-2
  ['reserved', '203.0.113.0', 24, 'ipv4'], // TEST-NET-3
  ['reserved', '224.0.0.0', 4, 'ipv4'], // multicast
  ['reserved', '240.0.0.0', 4, 'ipv4'], // reserved, incl. broadcast 255.255.255.255
  // IPv6. IPv4-mapped addresses (::ffff:a.b.c.d) match the IPv4 rules above: BlockList checks an
  // IPv6 ::ffff: address against IPv4 rules (https://nodejs.org/api/net.html#blocklistcheckaddress-type
  // shows `check('::ffff:7b7b:7b7b', 'ipv6')` true for an IPv4 rule; the unit tests pin it).
  ['loopback', '::1', 128, 'ipv6'],
  ['reserved', '::', 96, 'ipv6'], // unspecified and the deprecated IPv4-compatible ::a.b.c.d
  ['reserved', '64:ff9b::', 96, 'ipv6'], // NAT64: may embed any IPv4 address, private ones too
  ['reserved', '64:ff9b:1::', 48, 'ipv6'], // local-use NAT64 (RFC 8215): the same
  ['reserved', '::ffff:0:0:0', 96, 'ipv6'], // IPv4-translated (RFC 2765): may embed a private IPv4 address
  ['reserved', '2001::', 23, 'ipv6'], // IETF protocol assignments (RFC 2928)
  ['reserved', '100::', 64, 'ipv6'], // discard-only
  ['reserved', '2001:db8::', 32, 'ipv6'], // documentation
  ['reserved', '2002::', 16, 'ipv6'], // 6to4: may embed a private IPv4 address
  ['private', 'fc00::', 7, 'ipv6'], // unique local
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['reserved', 'fec0::', 10, 'ipv6'], // deprecated site-local
  ['reserved', 'ff00::', 8, 'ipv6'], // multicast
];

// Checked in this order: ::1 is in ::/96 too, and must read as loopback, not reserved.
const LISTS = new Map<AddressKind, BlockList>(
  (['loopback', 'link-local', 'private', 'reserved'] as const).map((kind) => [kind, new BlockList()]),
);
for (const [kind, network, prefix, family] of RANGES) {
  LISTS.get(kind)?.addSubnet(network, prefix, family);
}

/** Strips the brackets WHATWG URL keeps around an IPv6 host: `[::1]` → `::1`. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * What kind of address `address` (an IP literal, IPv4 or IPv6) is. Anything not a well-formed IP is
 * `reserved`: refused rather than guessed at.
 */
export function classifyAddress(address: string): AddressKind {
  const bare = unbracket(address);
  const family = isIP(bare);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of LISTS) {
    if (list.check(bare, type)) return kind;
  }
  return 'public';
}

/** Whether the policy lets a request go to an address of this kind. */
export function allowedKind(kind: AddressKind, policy: AddressPolicy): boolean {
  return kind === 'public' || (kind === 'loopback' && policy.allowLoopback);
}

/** Host names that are loopback by definition (RFC 6761): refused in AWS without asking DNS. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
