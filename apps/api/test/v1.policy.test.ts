import { expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';
import { call } from './support/templates.js';

/**
 * The spam policy through /v1: blocklists kept by the platform (for everyone) and by an account
 * (for itself and its subtree), and the opt-out list. Refused messages get their OK and then
 * fail with the rule's code, as the contract reports policy refusals.
 */
let t: TestGateway;
let platform: Record<string, string>;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  platform = { authorization: `Key ${await t.platformKey()}` };
}, SLOW);

async function finalStatus(message: Record<string, unknown>) {
  const response = await t.send({ messages: [{ from: 'MyCompany', ...message }] });
  const { result } = (await response.json()) as SendBody;
  expect(result[0]).toEqual({ code: 'OK', messageId: expect.stringMatching(/^\d+$/) });
  const messageId = (result[0] as { messageId: string }).messageId;
  let found: { status: string; errorCode: number; history: Array<Record<string, unknown>> } | undefined;
  await expect
    .poll(
      async () => {
        found = (await call(t, 'GET', `/v1/messages/${messageId}`)).body;
        return found!.status;
      },
      { timeout: 60_000, interval: 200 },
    )
    .toMatch(/^(SENT|DELIVERED|READ|FAILED)$/);
  return { ...found!, last: found!.history.at(-1)! };
}

test("the platform's blocklist applies to the accounts below it; an account's own list to itself", async () => {
  const put = await call(
    t,
    'PUT',
    '/v1/policy/blocklist',
    { words: ['Казино'], domains: ['*.Win.Example'] },
    platform,
  );
  expect(put).toMatchObject({
    status: 200,
    body: { words: ['Казино'], domains: ['win.example'], updatedAt: expect.any(String) },
  });
  const blocked = await finalStatus({ to: '79031230001', text: 'Лучшее казино: promo.win.example/go' });
  expect(blocked).toMatchObject({ status: 'FAILED', errorCode: 2017 });
  expect(blocked.last).toMatchObject({ source: 'policy', rule: 'blocked-content' });
  expect(blocked.last.reason).toContain('the blocklist of an account above this one');

  // The demo account sees its own (empty) list, not the platform's, and cannot read the platform's.
  expect((await call(t, 'GET', '/v1/policy/blocklist')).body).toEqual({
    words: [],
    domains: [],
    updatedAt: null,
  });
  expect((await call(t, 'GET', '/v1/policy/blocklist?accountId=acc_platform')).status).toBe(404);
  // The platform reads and sets it for the demo account.
  const own = await call(
    t,
    'PUT',
    `/v1/policy/blocklist?accountId=${t.accountId}`,
    { words: ['lottery'], domains: [] },
    platform,
  );
  expect(own.status).toBe(200);
  expect((await call(t, 'GET', '/v1/policy/blocklist')).body.words).toEqual(['lottery']);
  expect((await finalStatus({ to: '79031230002', text: 'LOTTERY win' })).errorCode).toBe(2017);
  expect((await finalStatus({ to: '79031230003', text: 'Your lotteryless code 1234' })).errorCode).toBe(0);

  const invalid = await call(t, 'PUT', '/v1/policy/blocklist', { words: [], domains: ['no spaces.com'] });
  expect(invalid).toMatchObject({ status: 400, body: { code: 'REJECTED' } });
  const readOnly = await t.createKey(['read']);
  const denied = await call(
    t,
    'PUT',
    '/v1/policy/blocklist',
    { words: [], domains: [] },
    { authorization: `Key ${readOnly}` },
  );
  expect(denied.status).toBe(403);
});

test('a recipient on the opt-out list gets nothing (2302) until taken off it', async () => {
  expect(await call(t, 'POST', '/v1/opt-outs', { recipients: ['+7 903 123-00-10'] })).toEqual({
    status: 200,
    body: { added: 1 },
  });
  const list = await call(t, 'GET', '/v1/opt-outs');
  expect(list.body).toEqual({
    data: [{ recipient: '79031230010', source: 'api', keyword: null, createdAt: expect.any(String) }],
    nextCursor: null,
  });
  const refused = await finalStatus({ to: '79031230010', text: 'Hello again' });
  expect(refused).toMatchObject({ status: 'FAILED', errorCode: 2302 });
  expect(refused.last).toMatchObject({ rule: 'opt-out' });

  expect((await call(t, 'DELETE', '/v1/opt-outs/79031230010')).status).toBe(204);
  expect((await call(t, 'DELETE', '/v1/opt-outs/79031230010')).status).toBe(404);
  expect((await finalStatus({ to: '79031230010', text: 'Hello once more' })).errorCode).toBe(0);
  expect((await call(t, 'POST', '/v1/opt-outs', { recipients: ['12'] })).status).toBe(400);
  expect(await call(t, 'PUT', '/v1/opt-outs/79031230011')).toEqual({ status: 200, body: { added: 1 } });
  expect(await call(t, 'PUT', '/v1/opt-outs/79031230011')).toEqual({ status: 200, body: { added: 0 } });
  expect((await finalStatus({ to: '79031230011', text: 'Hi' })).errorCode).toBe(2302);
});
