import { lookup as dnsLookup } from 'node:dns/promises';
import { env } from './read-config.js';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound URL rules shared by the api (request time: the URL as written) and dispatch
 * (delivery time: every address the host resolves to), so a tenant cannot make wagate call
 * into its own network (SSRF).
 */
export interface OutboundUrlOptions {
  /** 127.0.0.0/8, ::1, `localhost` and `*.localhost` (the embedded gateway's demos and tests). */
  allowLoopback?: boolean;
  /**
   * 10/8, 172.16/12, 192.168/16, CGNAT 100.64/10, fc00::/7, site-local fec0::/10 and local-use
   * NAT64 64:ff9b:1::/48 (a gateway inside a private network). Never metadata addresses.
   */
  allowPrivate?: boolean;
}

export type UrlCheck = { ok: true } | { ok: false; reason: string };

export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** A resolver in the shape of `dns.lookup(host, { all: true })`; injectable for tests. */
export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type ResolvedCheck =
  | { ok: true; addresses: { address: string; family: number }[] }
  | { ok: false; reason: string; retryable: boolean };

/**
 * Syntax, scheme (http/https only) and a host that is a literal IP or a `localhost` name. No DNS:
 * cheap enough to run for every message of a request. The WHATWG parser already turns
 * `http://2130706433/` and `http://0x7f.1/` into `127.0.0.1`, so literal forms are checked once
 * normalised.
 */
export function checkOutboundUrl(url: string, options: OutboundUrlOptions = {}): UrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: `scheme ${parsed.protocol} is not allowed: use http or https` };
  }
  const host = hostOf(parsed);
  if (host === '') return { ok: false, reason: 'the URL has no host' };
  if (isIP(host) !== 0) return checkAddress(host, options);
  if (isLocalhostName(host)) {
    return options.allowLoopback ? { ok: true } : { ok: false, reason: `${host} is a loopback host` };
  }
  return { ok: true };
}

/**
 * A `lookup` for http(s).request that answers with `address` only: the connection goes to the
 * address `resolveAndCheck` approved, while the host name still goes in Host and TLS SNI, so no
 * second DNS lookup can send it elsewhere (DNS rebinding).
 */
export function pinnedLookup(address: { address: string; family: number }): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
}

/**
 * `checkOutboundUrl`, then every address the host resolves to must pass too (one bad address
 * refuses the URL: a resolver may hand any of them to the connection). Callers connect to one
 * of the returned addresses, never resolve again, so DNS rebinding cannot swap the target.
 */
export async function resolveAndCheck(
  url: string,
  options: OutboundUrlOptions & { lookup?: LookupAll } = {},
): Promise<ResolvedCheck> {
  const literal = checkOutboundUrl(url, options);
  if (!literal.ok) return { ...literal, retryable: false };
  const host = hostOf(new URL(url));
  if (isIP(host) !== 0) return { ok: true, addresses: [{ address: host, family: isIP(host) }] };
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (options.lookup ?? defaultLookup)(host);
  } catch (error) {
    return { ok: false, reason: `cannot resolve ${host}: ${(error as Error).message}`, retryable: true };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} has no addresses`, retryable: true };
  for (const { address } of addresses) {
    const check = checkAddress(address, options);
    if (!check.ok) return { ok: false, reason: `${host} resolves to ${check.reason}`, retryable: false };
  }
  return { ok: true, addresses };
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function checkAddress(address: string, options: OutboundUrlOptions): UrlCheck {
  const kind = classifyAddress(address);
  if (kind === 'public') return { ok: true };
  if (kind === 'loopback' && options.allowLoopback) return { ok: true };
  if ((kind === 'private' || kind === 'cgnat') && options.allowPrivate) return { ok: true };
  return { ok: false, reason: `${address} (${kind} address)` };
}

/** The URL's host without IPv6 brackets or a trailing root dot, lower case. */
function hostOf(url: URL): string {
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * What kind of address a literal IPv4 or IPv6 address is; anything unparsable is `reserved`.
 * The ranges are ipaddr.js's names for the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries; a range it names that is not listed below is refused (`reserved`), so a new
 * special range fails closed. An IPv6 address that carries an IPv4 address is judged by that
 * address too: a mapped or translated loopback is loopback.
 */
export function classifyAddress(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  // Dotted-quad decimal only: what resolvers and the URL parser produce (`0x7f.1` is no address here).
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return classifyIPv4(ipaddr.IPv4.parse(bare));
  if (!ipaddr.IPv6.isValid(bare)) return 'reserved';
  return classifyIPv6(ipaddr.IPv6.parse(bare));
}

/** IPv4 ranges by ipaddr.js name; what the registry marks globally reachable is `public`. */
const IPV4_RANGE_KINDS: Record<string, AddressKind> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'reserved',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'cgnat',
  private: 'private',
  // 192.0.0/24, documentation nets, 192.88.99/24 (6to4 relays), 198.18/15 (benchmarking), 240/4.
  reserved: 'reserved',
  benchmarking: 'reserved',
  // AS112 and AMT relays are anycast services the registry marks globally reachable.
  as112: 'public',
  amt: 'public',
};

/**
 * IPv6 ranges by ipaddr.js name. `embedded` ranges carry an IPv4 address: the address is the
 * range's kind unless the IPv4 inside is not public, then it is that IPv4's kind.
 */
const IPV6_RANGES: Record<string, { kind: AddressKind; embedded?: (parts: number[]) => number[] }> = {
  unspecified: { kind: 'unspecified' },
  loopback: { kind: 'loopback' },
  linkLocal: { kind: 'link-local' },
  multicast: { kind: 'multicast' },
  uniqueLocal: { kind: 'private' },
  // fec0::/10, site-local: deprecated, but still a network's own addresses where it is used.
  deprecatedSiteLocal: { kind: 'private' },
  // ::ffff:a.b.c.d and ::ffff:0:a.b.c.d (SIIT) reach the IPv4 host itself.
  ipv4Mapped: { kind: 'public', embedded: lastTwoGroups },
  rfc6145: { kind: 'public', embedded: lastTwoGroups },
  // 64:ff9b::/96 is the well-known NAT64 prefix (DNS64 answers with it on IPv6-only networks);
  // 64:ff9b:1::/48 is for translators inside one network (RFC 8215), so private.
  rfc6052: { kind: 'public', embedded: nat64Embedded },
  '6to4': { kind: 'public', embedded: (parts) => [parts[1]!, parts[2]!] },
  // Teredo tunnels through relays wagate does not choose: never public, and the server and
  // client IPv4 addresses inside are judged too (the client's is stored inverted).
  teredo: { kind: 'reserved', embedded: teredoClient },
  as112v6: { kind: 'public' },
  amt: { kind: 'public' },
};

function classifyIPv4(ip: ipaddr.IPv4): AddressKind {
  if (ip.toString() === '169.254.169.254') return 'metadata';
  return IPV4_RANGE_KINDS[ip.range()] ?? 'reserved';
}

/** AWS's IPv6 instance metadata endpoint (the IPv4 one is in classifyIPv4). */
const IPV6_METADATA = ipaddr.IPv6.parse('fd00:ec2::254');
/** IANA's global unicast space: an address outside it that no special range names is unassigned. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];
const NAT64_LOCAL_USE = ipaddr.parseCIDR('64:ff9b:1::/48') as [ipaddr.IPv6, number];

function classifyIPv6(ip: ipaddr.IPv6): AddressKind {
  if (ip.toNormalizedString() === IPV6_METADATA.toNormalizedString()) return 'metadata';
  const name = ip.range();
  // The deprecated IPv4-compatible `::7f00:1` lands here (outside 2000::/3); ipaddr.js reads the
  // dotted `::127.0.0.1` as IPv4-mapped, so that one is judged by its IPv4 address.
  if (name === 'unicast') return ip.match(GLOBAL_UNICAST) ? 'public' : 'reserved';
  const range = IPV6_RANGES[name];
  if (!range) return 'reserved';
  const kind = name === 'rfc6052' && ip.match(NAT64_LOCAL_USE) ? 'private' : range.kind;
  if (name === 'teredo') {
    const server = classifyIPv4(ipv4Of([ip.parts[2]!, ip.parts[3]!]));
    if (server !== 'public') return server;
  }
  return range.embedded ? judgedWithIPv4(kind, range.embedded(ip.parts)) : kind;
}

function judgedWithIPv4(kind: AddressKind, groups: number[]): AddressKind {
  const inside = classifyIPv4(ipv4Of(groups));
  return inside === 'public' ? kind : inside;
}

function ipv4Of([high = 0, low = 0]: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function lastTwoGroups(parts: number[]): number[] {
  return [parts[6]!, parts[7]!];
}

/** RFC 6052 section 2.2: after a /96 prefix the IPv4 address is the last 32 bits; after a /48 it is split around the `u` octet (bits 64–71). */
function nat64Embedded(parts: number[]): number[] {
  if (parts[2] === 0) return lastTwoGroups(parts);
  const [, , , g3 = 0, g4 = 0, g5 = 0] = parts;
  return [g3, ((g4 & 0xff) << 8) | (g5 >> 8)];
}

/** RFC 4380: the client's IPv4 address is the last 32 bits, each bit inverted. */
function teredoClient(parts: number[]): number[] {
  return [parts[6]! ^ 0xffff, parts[7]! ^ 0xffff];
}

/**
 * Which networks callback URLs (webhooks) may point at besides the public internet: the api
 * checks a URL when it is given (as written), dispatch before every delivery (each address the
 * host resolves to). Both read the same two variables.
 */
export const callbackUrlVariables = {
  WAGATE_ALLOW_LOOPBACK_WEBHOOKS: env.bool({
    default: false,
    description:
      'Callback URLs (webhooks) may point at loopback (127/8, ::1, localhost): test receivers on the same machine.',
  }),
  WAGATE_ALLOW_PRIVATE_WEBHOOKS: env.bool({
    default: false,
    description:
      "Callback URLs (webhooks) may point at private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): receivers inside the deployment's own network. Metadata addresses stay refused.",
  }),
};

/**
 * Which networks media URLs (a message's `contentUrl`) may point at besides the public internet:
 * the api checks a URL when it is given, the device agent fetches it (checking each address the
 * host resolves to). Both read the same two variables.
 */
export const mediaUrlVariables = {
  WAGATE_ALLOW_LOOPBACK_MEDIA: env.bool({
    default: false,
    description: 'Media URLs (`contentUrl`) may point at loopback (127/8, ::1, localhost).',
  }),
  WAGATE_ALLOW_PRIVATE_MEDIA: env.bool({
    default: false,
    description:
      "Media URLs (`contentUrl`) may point at private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), e.g. a media server inside the operator's network.",
  }),
};
