import { describe, expect, test } from 'vitest';
import { checkOutboundUrl, classifyAddress, type LookupAll, resolveAndCheck } from '../src/url-guard.js';

/**
 * One row per range of the IANA IPv4 and IPv6 Special-Purpose Address Registries (and the
 * cloud metadata addresses), with public addresses beside them that must stay allowed.
 */
describe('classifyAddress', () => {
  describe('IPv4', () => {
    test.each([
      ['0.0.0.0/8 this network', '0.1.2.3', 'unspecified'],
      ['10.0.0.0/8', '10.1.2.3', 'private'],
      ['100.64.0.0/10 shared (CGNAT)', '100.127.255.255', 'cgnat'],
      ['127.0.0.0/8 loopback', '127.255.255.254', 'loopback'],
      ['169.254.0.0/16 link-local', '169.254.1.1', 'link-local'],
      ['169.254.169.254 cloud metadata', '169.254.169.254', 'metadata'],
      ['172.16.0.0/12', '172.31.255.255', 'private'],
      ['192.0.0.0/24 IETF protocol assignments', '192.0.0.8', 'reserved'],
      ['192.0.2.0/24 TEST-NET-1', '192.0.2.10', 'reserved'],
      ['192.88.99.0/24 6to4 relay anycast (deprecated)', '192.88.99.1', 'reserved'],
      ['192.168.0.0/16', '192.168.1.1', 'private'],
      ['198.18.0.0/15 benchmarking', '198.19.0.1', 'reserved'],
      ['198.51.100.0/24 TEST-NET-2', '198.51.100.7', 'reserved'],
      ['203.0.113.0/24 TEST-NET-3', '203.0.113.9', 'reserved'],
      ['224.0.0.0/4 multicast', '239.1.1.1', 'multicast'],
      ['240.0.0.0/4 reserved', '240.0.0.1', 'reserved'],
      ['255.255.255.255 broadcast', '255.255.255.255', 'reserved'],
      ['192.31.196.0/24 AS112 (globally reachable)', '192.31.196.1', 'public'],
      ['192.52.193.0/24 AMT (globally reachable)', '192.52.193.1', 'public'],
      ['192.175.48.0/24 AS112 direct delegation (globally reachable)', '192.175.48.1', 'public'],
      ['a public address', '8.8.8.8', 'public'],
      ['a public address next to 172.16/12', '172.32.0.1', 'public'],
      ['a public address next to 100.64/10', '100.128.0.1', 'public'],
    ])('%s: %s is %s', (_range, address, kind) => {
      expect(classifyAddress(address)).toBe(kind);
    });
  });

  describe('IPv6', () => {
    test.each([
      ['::/128 unspecified', '::', 'unspecified'],
      ['::1/128 loopback', '0:0:0:0:0:0:0:1', 'loopback'],
      ['::ffff:0:0/96 IPv4-mapped, loopback inside', '::ffff:127.0.0.1', 'loopback'],
      ['::ffff:0:0/96 IPv4-mapped, hex form', '::ffff:7f00:1', 'loopback'],
      ['::ffff:0:0/96 IPv4-mapped, metadata inside', '::ffff:169.254.169.254', 'metadata'],
      ['::ffff:0:0/96 IPv4-mapped, public inside', '::ffff:8.8.8.8', 'public'],
      ['::ffff:0:0:0/96 IPv4-translated, loopback inside', '::ffff:0:127.0.0.1', 'loopback'],
      ['::ffff:0:0:0/96 IPv4-translated, private inside', '::ffff:0:a00:1', 'private'],
      ['::ffff:0:0:0/96 IPv4-translated, public inside', '::ffff:0:8.8.8.8', 'public'],
      ['::/96 IPv4-compatible (deprecated), dotted: judged by the IPv4 inside', '::127.0.0.1', 'loopback'],
      ['::/96 IPv4-compatible (deprecated), hex: outside 2000::/3', '::7f00:1', 'reserved'],
      ['64:ff9b::/96 NAT64, loopback inside', '64:ff9b::127.0.0.1', 'loopback'],
      ['64:ff9b::/96 NAT64, public inside (DNS64)', '64:ff9b::8.8.8.8', 'public'],
      ['64:ff9b:1::/48 local-use NAT64', '64:ff9b:1:808:8:800::', 'private'],
      ['64:ff9b:1::/48 local-use NAT64, loopback inside', '64:ff9b:1:7f00:0:100::', 'loopback'],
      ['100::/64 discard-only', '100::1', 'reserved'],
      ['2001::/32 Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
      ['2001::/32 Teredo, loopback server', '2001:0:7f00:1::1', 'loopback'],
      ['2001::/32 Teredo, private client', '2001:0:4136:e378::f5ff:fffe', 'private'],
      ['2001:1::1/128 port control anycast (in 2001::/23)', '2001:1::1', 'reserved'],
      ['2001:2::/48 benchmarking', '2001:2::1', 'reserved'],
      ['2001:3::/32 AMT (globally reachable)', '2001:3::1', 'public'],
      ['2001:4:112::/48 AS112-v6 (globally reachable)', '2001:4:112::1', 'public'],
      ['2001:10::/28 ORCHID (deprecated)', '2001:10::1', 'reserved'],
      ['2001:20::/28 ORCHIDv2', '2001:20::1', 'reserved'],
      ['2001:30::/28 drone remote ID', '2001:30::1', 'reserved'],
      ['2001:db8::/32 documentation', '2001:db8::1', 'reserved'],
      ['2002::/16 6to4, loopback inside', '2002:7f00:1::', 'loopback'],
      ['2002::/16 6to4, private inside', '2002:c0a8:101::1', 'private'],
      ['2002::/16 6to4, public inside', '2002:808:808::1', 'public'],
      ['2620:4f:8000::/48 AS112 direct delegation (globally reachable)', '2620:4f:8000::1', 'public'],
      ['3fff::/20 documentation', '3fff::1', 'reserved'],
      ['5f00::/16 segment routing', '5f00::1', 'reserved'],
      ['fc00::/7 unique local', 'fd12:3456::1', 'private'],
      ['fd00:ec2::254 cloud metadata', 'fd00:ec2::254', 'metadata'],
      ['fe80::/10 link-local', 'febf::1', 'link-local'],
      ['fe80::/10 link-local with a zone', 'fe80::1%eth0', 'link-local'],
      ['fec0::/10 site-local (deprecated)', 'fec0::1', 'private'],
      ['ff00::/8 multicast', 'ff02::1', 'multicast'],
      ['outside 2000::/3 (unassigned)', '4000::1', 'reserved'],
      ['a public address', '2001:4860:4860::8888', 'public'],
      ['a public address', '2606:4700::6810:85e5', 'public'],
      ['a public address just past 2001::/23', '2001:200::1', 'public'],
    ])('%s: %s is %s', (_range, address, kind) => {
      expect(classifyAddress(address)).toBe(kind);
    });
  });

  test('what is not an address at all is reserved', () => {
    expect(classifyAddress('0x7f.1')).toBe('reserved');
    expect(classifyAddress('example.com')).toBe('reserved');
  });
});

describe('checkOutboundUrl', () => {
  test.each([
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://api.localhost:8080/x',
    'http://10.0.0.5/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://100.64.1.1/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://[::ffff:0:7f00:1]/',
    'http://[64:ff9b:1:7f00:0:100::]/',
    'http://[fec0::1]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
  ])('refuses %s', (url) => {
    const check = checkOutboundUrl(url);
    expect(check.ok).toBe(false);
  });

  test.each([
    'https://example.com/hooks',
    'http://93.184.216.34:8080/cb',
    'https://[2001:4860:4860::8888]/',
    'http://[64:ff9b::5db8:d822]/',
  ])('accepts %s', (url) => {
    expect(checkOutboundUrl(url)).toEqual({ ok: true });
  });

  test('refuses other schemes and malformed URLs', () => {
    expect(checkOutboundUrl('ftp://example.com/')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/scheme/),
    });
    expect(checkOutboundUrl('file:///etc/passwd').ok).toBe(false);
    expect(checkOutboundUrl('not a url').ok).toBe(false);
  });

  test('allowLoopback admits loopback only, allowPrivate admits private ranges but never metadata', () => {
    const loopback = { allowLoopback: true };
    expect(checkOutboundUrl('http://127.0.0.1:3000/dev/inbox', loopback)).toEqual({ ok: true });
    expect(checkOutboundUrl('http://localhost/', loopback)).toEqual({ ok: true });
    expect(checkOutboundUrl('http://[::1]/', loopback)).toEqual({ ok: true });
    expect(checkOutboundUrl('http://10.0.0.1/', loopback).ok).toBe(false);
    const both = { allowLoopback: true, allowPrivate: true };
    expect(checkOutboundUrl('http://10.0.0.1/', both)).toEqual({ ok: true });
    expect(checkOutboundUrl('http://169.254.169.254/', both).ok).toBe(false);
    expect(checkOutboundUrl('http://[fd00:ec2::254]/', both).ok).toBe(false);
  });
});

describe('resolveAndCheck', () => {
  const resolvingTo =
    (...addresses: string[]): LookupAll =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  test('refuses a hostname when any of its addresses is internal (DNS rebinding)', async () => {
    const check = await resolveAndCheck('https://hooks.example.com/cb', {
      lookup: resolvingTo('93.184.216.34', '127.0.0.1'),
    });
    expect(check).toMatchObject({
      ok: false,
      retryable: false,
      reason: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(
      (
        await resolveAndCheck('https://hooks.example.com/cb', {
          lookup: resolvingTo('::ffff:169.254.169.254'),
        })
      ).ok,
    ).toBe(false);
  });

  test('returns the checked addresses for a public host', async () => {
    const check = await resolveAndCheck('https://hooks.example.com/cb', {
      lookup: resolvingTo('93.184.216.34'),
    });
    expect(check).toEqual({ ok: true, addresses: [{ address: '93.184.216.34', family: 4 }] });
  });

  test('a resolver failure is retryable; a literal refusal is not', async () => {
    const failing: LookupAll = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await resolveAndCheck('https://nowhere.example/', { lookup: failing })).toMatchObject({
      ok: false,
      retryable: true,
    });
    expect(await resolveAndCheck('http://127.0.0.1/', { lookup: failing })).toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});
