import { describe, expect, test } from 'vitest';
import { checkOutboundUrl, classifyAddress, type LookupAll, resolveAndCheck } from '../src/url-guard.js';

describe('classifyAddress', () => {
  test.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700::6810:85e5', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
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
  ])('refuses %s', (url) => {
    const check = checkOutboundUrl(url);
    expect(check.ok).toBe(false);
  });

  test.each(['https://example.com/hooks', 'http://93.184.216.34:8080/cb', 'https://[2001:4860:4860::8888]/'])(
    'accepts %s',
    (url) => {
      expect(checkOutboundUrl(url)).toEqual({ ok: true });
    },
  );

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
