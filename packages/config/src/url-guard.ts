import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Outbound URL rules shared by the api (request time: the URL as written) and dispatch
 * (delivery time: every address the host resolves to), so a tenant cannot make wagate call
 * into its own network (SSRF).
 */
export interface OutboundUrlOptions {
  /** 127.0.0.0/8, ::1, `localhost` and `*.localhost` (the embedded gateway's demos and tests). */
  allowLoopback?: boolean;
  /** 10/8, 172.16/12, 192.168/16, fc00::/7 and CGNAT 100.64/10 (a gateway inside a private network). */
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

/** What kind of address a literal IPv4 or IPv6 address is; anything unparsable is `reserved`. */
export function classifyAddress(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = parseIPv4(bare);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(bare);
  if (v6 === undefined) return 'reserved';
  return classifyIPv6(v6);
}

function inV4(ip: number, base: string, bits: number): boolean {
  const start = parseIPv4(base) ?? 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ip & mask) >>> 0 === (start & mask) >>> 0;
}

function classifyIPv4(ip: number): AddressKind {
  if (ip === parseIPv4('169.254.169.254')) return 'metadata';
  if (inV4(ip, '0.0.0.0', 8)) return 'unspecified';
  if (inV4(ip, '127.0.0.0', 8)) return 'loopback';
  if (inV4(ip, '10.0.0.0', 8) || inV4(ip, '172.16.0.0', 12) || inV4(ip, '192.168.0.0', 16)) return 'private';
  if (inV4(ip, '100.64.0.0', 10)) return 'cgnat';
  if (inV4(ip, '169.254.0.0', 16)) return 'link-local';
  if (inV4(ip, '224.0.0.0', 4)) return 'multicast';
  // 240/4 (with the broadcast address), IETF protocol assignments and benchmarking ranges.
  if (inV4(ip, '240.0.0.0', 4) || inV4(ip, '192.0.0.0', 24) || inV4(ip, '198.18.0.0', 15)) return 'reserved';
  return 'public';
}

function classifyIPv6(groups: number[]): AddressKind {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedV4 = ((g6 << 16) | g7) >>> 0;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0 && g6 === 0) {
    if (g7 === 0) return 'unspecified';
    if (g7 === 1) return 'loopback';
  }
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms reach the IPv4 host.
  if (firstFiveZero && (g5 === 0xffff || g5 === 0)) return classifyIPv4(embeddedV4);
  // NAT64 (64:ff9b::/96) also reaches the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return classifyIPv4(embeddedV4);
  // 6to4 (2002::/16) carries an IPv4 address in groups 1–2.
  if (g0 === 0x2002) {
    const kind = classifyIPv4(((g1 << 16) | g2) >>> 0);
    if (kind !== 'public') return kind;
  }
  if (
    g0 === 0xfd00 &&
    g1 === 0x0ec2 &&
    g2 === 0 &&
    g3 === 0 &&
    g4 === 0 &&
    g5 === 0 &&
    g6 === 0 &&
    g7 === 0x254
  ) {
    return 'metadata';
  }
  if ((g0 & 0xfe00) === 0xfc00) return 'private';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/** Dotted-quad decimal only (what resolvers and the URL parser produce), as an unsigned 32-bit number. */
function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Eight 16-bit groups, with `::` expanded and a trailing dotted IPv4 part split into two groups. */
function parseIPv6(text: string): number[] | undefined {
  if (isIP(text) !== 6) return undefined;
  let body = text.toLowerCase();
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const maybeV4 = body.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => Number.parseInt(group, 16)) : [];
  const head = parse(halves[0]);
  const rest = [...parse(halves[1]), ...tail];
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : undefined;
  }
  const zeros = 8 - head.length - rest.length;
  if (zeros < 0) return undefined;
  return [...head, ...new Array<number>(zeros).fill(0), ...rest];
}
