import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type SendBody, SLOW, startTestGateway, type TestGateway, validMessage } from './support/gateway.js';

/**
 * The account's send rate, visible at request time: `RateLimit-Policy` and `RateLimit`
 * (draft-ietf-httpapi-ratelimit-headers) on send calls when the account limit is on. The
 * bucket here refills one message per 100 s, so its level does not move during the test.
 */

let limited: TestGateway;
let unlimited: TestGateway;
let sent = 0;
const messages = (count: number) =>
  Array.from({ length: count }, () => ({ ...validMessage, text: `Rate ${sent++}` }));

beforeAll(async () => {
  [limited, unlimited] = await Promise.all([
    startTestGateway({ policy: { accountRate: { perSecond: 0.01, burst: 5 } } }),
    startTestGateway(),
  ]);
}, SLOW);
afterAll(async () => {
  await Promise.all([limited?.stop(), unlimited?.stop()]);
}, SLOW);

/** The parameters of the `"account"` item of a RateLimit field. */
function params(field: string | null): Record<string, number> {
  expect(field).toMatch(/^"account";/);
  return Object.fromEntries(
    field!
      .split(';')
      .slice(1)
      .map((pair) => pair.split('=') as [string, string])
      .map(([name, value]) => [name, Number(value)]),
  );
}

describe('with the account limit on', () => {
  test('each send says the policy and what the account may still send', async () => {
    const first = await limited.send({ messages: messages(3) });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"account";q=5;w=500');
    expect(params(first.headers.get('ratelimit'))).toEqual({ r: 2, t: 300 });

    // Two tokens left for four messages: two go, two fail with 2301, and the bucket is empty.
    const second = await limited.send({ messages: messages(4) });
    const { result } = (await second.json()) as SendBody;
    expect(result.map((r) => r.code)).toEqual(['OK', 'OK', 'OK', 'OK']);
    const rate = params(second.headers.get('ratelimit'));
    expect(rate.r).toBe(0);
    // Five tokens short at one per 100 s; a moment has passed since, so a little under 500 s.
    expect(rate.t).toBeGreaterThan(490);
    expect(rate.t).toBeLessThanOrEqual(500);
  });

  test('a replay of an earlier request takes nothing and reports nothing', async () => {
    const body = { messages: messages(1) };
    const headers = { 'idempotency-key': 'rate-replay-1' };
    const first = await limited.send(body, headers);
    expect(first.headers.get('ratelimit')).not.toBeNull();
    const replay = await limited.send(body, headers);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('ratelimit')).toBeNull();
    expect(replay.headers.get('ratelimit-policy')).toBeNull();
  });
});

test('without an account limit, sends carry no RateLimit fields', async () => {
  const response = await unlimited.send({ messages: messages(1) });
  expect(response.status).toBe(200);
  expect(response.headers.get('ratelimit')).toBeNull();
  expect(response.headers.get('ratelimit-policy')).toBeNull();
});
