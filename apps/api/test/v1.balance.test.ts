import { expect } from 'vitest';
import { SLOW, type TestGateway, test } from './support/gateway.js';

/** `GET /v1/balance`: the account's prepaid balance from billing. */

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

test('the demo account starts with its demo credit in RUB and no credit limit', async () => {
  const response = await t.request('/v1/balance');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    accountId: t.accountId,
    currency: 'RUB',
    balanceMinor: 1_000_000,
    reservedMinor: 0,
    creditLimitMinor: null,
  });
});

test("shows the account's own balance and credit limit, set by its parent", async () => {
  const key = await t.createKey(['read'], 'acc_v1_balance_other');
  const platform = await t.platformKey();
  const asPlatform = (path: string, method: string, body: unknown) =>
    t.request(path, {
      method,
      body: JSON.stringify(body),
      headers: { authorization: `Key ${platform}`, 'content-type': 'application/json' },
    });
  expect(
    (await asPlatform('/v1/accounts/acc_v1_balance_other/credit', 'POST', { amountMinor: 150_000 })).status,
  ).toBe(200);
  expect(
    (await asPlatform('/v1/accounts/acc_v1_balance_other', 'PATCH', { creditLimitMinor: 5000 })).status,
  ).toBe(200);

  const response = await t.request('/v1/balance', { headers: { authorization: `Key ${key}` } });
  expect(await response.json()).toEqual({
    accountId: 'acc_v1_balance_other',
    currency: 'RUB',
    balanceMinor: 150_000,
    reservedMinor: 0,
    creditLimitMinor: 5000,
  });
  expect(await (await t.request('/v1/balance')).json()).toMatchObject({
    accountId: t.accountId,
    balanceMinor: 1_000_000,
  });
});

test('a key without the read scope is 403 forbidden', async () => {
  const sendOnly = await t.createKey(['send']);
  const response = await t.request('/v1/balance', { headers: { authorization: `Key ${sendOnly}` } });
  expect(response.status).toBe(403);
  expect(await response.json()).toEqual({
    code: 'REJECTED',
    reasons: [{ key: 'forbidden' }],
    description: expect.stringContaining('"read" scope'),
  });
});
