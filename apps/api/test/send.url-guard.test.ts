import { describe, expect, test } from 'vitest';
import { type OutboundUrlRules, validateMessage } from '../src/validation/validate-message.js';

/** Request-time SSRF rule: URLs as written, no DNS. */

const base = { from: 'MyCompany', to: '79034567890', text: 'hi' };
const media = { ...base, contentType: 'application/pdf', contentName: 'a.pdf' };

function reasonsOf(message: Record<string, unknown>, options: OutboundUrlRules = {}) {
  const validation = validateMessage(message, 0, options);
  return validation.ok ? [] : validation.reasons;
}

describe('callbackUrl and contentUrl pointing inside the network', () => {
  test.each([
    'http://127.0.0.1/cb',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::1]:8080/',
    'http://localhost/',
    'http://hooks.localhost/',
    'http://10.0.0.1/',
    'http://192.168.1.10/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://0.0.0.0/',
  ])('%s is invalid at its ref', (url) => {
    expect(reasonsOf({ ...base, callbackUrl: url })).toEqual([
      { key: 'invalid', ref: 'messages[0].callbackUrl' },
    ]);
    expect(reasonsOf({ ...media, contentUrl: url })).toEqual([
      { key: 'invalid', ref: 'messages[0].contentUrl' },
    ]);
  });

  test('public hosts and names pass without a DNS lookup', () => {
    expect(reasonsOf({ ...base, callbackUrl: 'https://hooks.example.com/status' })).toEqual([]);
    expect(reasonsOf({ ...base, callbackUrl: 'http://93.184.216.34/status' })).toEqual([]);
  });

  test('allowing loopback admits loopback only', () => {
    const loopback = { callbacks: { allowLoopback: true } };
    expect(reasonsOf({ ...base, callbackUrl: 'http://127.0.0.1:3000/dev/inbox' }, loopback)).toEqual([]);
    expect(reasonsOf({ ...base, callbackUrl: 'http://localhost:3000/' }, loopback)).toEqual([]);
    expect(reasonsOf({ ...base, callbackUrl: 'http://10.0.0.1/' }, loopback)).toEqual([
      { key: 'invalid', ref: 'messages[0].callbackUrl' },
    ]);
    expect(
      reasonsOf(
        { ...base, callbackUrl: 'http://169.254.169.254/' },
        { callbacks: { allowLoopback: true, allowPrivate: true } },
      ),
    ).toEqual([{ key: 'invalid', ref: 'messages[0].callbackUrl' }]);
  });

  test('callback URLs and media URLs are allowed apart (WAGATE_ALLOW_*_WEBHOOKS, WAGATE_ALLOW_*_MEDIA)', () => {
    const both = { ...media, contentUrl: 'http://127.0.0.1/a.pdf', callbackUrl: 'http://127.0.0.1/cb' };
    expect(reasonsOf(both, { callbacks: { allowLoopback: true } })).toEqual([
      { key: 'invalid', ref: 'messages[0].contentUrl' },
    ]);
    expect(reasonsOf(both, { media: { allowLoopback: true } })).toEqual([
      { key: 'invalid', ref: 'messages[0].callbackUrl' },
    ]);
    expect(reasonsOf(both, { callbacks: { allowLoopback: true }, media: { allowLoopback: true } })).toEqual(
      [],
    );
  });

  test("is listed with the message's other faults", () => {
    const validation = validateMessage(
      { ...base, text: 'a'.repeat(5000), callbackUrl: 'http://127.0.0.1/' },
      3,
    );
    expect(validation).toMatchObject({
      ok: false,
      reasons: [
        { key: 'length.too.long', ref: 'messages[3].text' },
        { key: 'invalid', ref: 'messages[3].callbackUrl' },
      ],
      description: expect.stringMatching(/public address/),
    });
  });
});
