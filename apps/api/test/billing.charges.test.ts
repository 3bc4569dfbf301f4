import { describe, expect } from 'vitest';
import {
  asKey,
  childWithKey,
  expectLedgerBalanced,
  type KeyClient,
  moveDevicesToSender,
  okIds,
  todayUtc,
  waitForSettled,
} from './support/accounts.js';
import { SLOW, type TestGateway, test } from './support/gateway.js';

/**
 * What a leaf's message costs every account up the chain, through the public API: the platform
 * prices its reseller, the reseller marks its customer up, and the ledger stays balanced.
 */

let t: TestGateway;
let platform: KeyClient;
let reseller: { id: string; client: KeyClient };
let customer: { id: string; client: KeyClient };

const RU = '79034567890';
const GB = '447400123456';
// Each message its own text: the same one again within minutes would be a duplicate (2009).
let sequence = 0;
const text = (to: string) => ({ from: 'Shop', to, text: `Your order ${++sequence} has shipped` });

test.beforeAll(async ({ gateway }) => {
  t = gateway;
  platform = asKey(t, await t.platformKey());
  reseller = await childWithKey(platform, t, { name: 'Reseller', kind: 'reseller' });
  expect(
    (
      await platform.put(`/v1/accounts/${reseller.id}/prices`, {
        prices: [
          { country: '*', kind: 'text', priceMinor: 100 },
          { country: 'RU', kind: 'text', priceMinor: 80 },
          { country: '*', kind: 'media', priceMinor: 300 },
        ],
      })
    ).status,
  ).toBe(200);
  expect((await platform.post(`/v1/accounts/${reseller.id}/credit`, { amountMinor: 10_000 })).status).toBe(
    200,
  );
  customer = await childWithKey(reseller.client, t, { name: 'Shop', kind: 'customer', markupBps: 2_500 });
  expect(
    (await reseller.client.post(`/v1/accounts/${customer.id}/credit`, { amountMinor: 1_000 })).status,
  ).toBe(200);
  await moveDevicesToSender(t, customer.id, 'Shop');
}, SLOW);


const balanceOf = async (client: KeyClient, id: string) =>
  (await client.get(`/v1/accounts/${id}`)).body.balanceMinor;

describe('prices along the chain', () => {
  test("a customer pays its reseller's price plus markup, rounded up; the country's price before the any-country one", async () => {
    const prices = await reseller.client.get(`/v1/accounts/${customer.id}/prices?country=RU`);
    expect(prices.status).toBe(200);
    expect(prices.body.markupBps).toBe(2_500);
    expect(prices.body.effective).toContainEqual({ country: 'RU', kind: 'text', priceMinor: 100 });
    expect(prices.body.effective).toContainEqual({ country: 'RU', kind: 'media', priceMinor: 375 });
    const elsewhere = await customer.client.get(`/v1/accounts/${customer.id}/prices?country=GB`);
    expect(elsewhere.body.effective).toContainEqual({ country: 'GB', kind: 'text', priceMinor: 125 });
  });

  test(
    'a sent message is charged once at every level: the customer pays the reseller, the reseller the platform',
    async () => {
      const sent = await customer.client.send([text(RU), text(GB)]);
      expect(sent.status).toBe(200);
      const ids = okIds(sent);
      expect(ids).toHaveLength(2);
      await waitForSettled(t, ids);

      // Customer: 1000 - 100 (RU) - 125 (GB). Reseller: 10000 - 1000 handed down + 225 - (80 + 100).
      expect(await balanceOf(customer.client, customer.id)).toBe(775);
      expect(await balanceOf(reseller.client, reseller.id)).toBe(9_045);
      expect((await platform.get('/v1/account')).body.balanceMinor).toBe(180);
      expect((await customer.client.get('/v1/balance')).body.reservedMinor).toBe(0);
      await expectLedgerBalanced(t);
    },
    SLOW,
  );
});

describe('insufficient funds and credit', () => {
  test(
    'in a batch, each message that fits is reserved in order and the rest get billing.error',
    async () => {
      expect(
        (
          await reseller.client.put(`/v1/accounts/${customer.id}/prices`, {
            prices: [{ country: '*', kind: 'text', priceMinor: 400 }],
          })
        ).status,
      ).toBe(200);
      // 775 available: the first 400 fits, the next two do not.
      const sent = await customer.client.send([text(RU), text(RU), text(RU)]);
      expect(sent.body.result.map((r: { code: string }) => r.code)).toEqual(['OK', 'REJECTED', 'REJECTED']);
      expect(sent.body.result[1]).toEqual({
        code: 'REJECTED',
        reasons: [{ key: 'billing.error' }],
        description: expect.stringContaining('payment is required: the message costs 400'),
      });
      await waitForSettled(t, okIds(sent));
      expect(await balanceOf(customer.client, customer.id)).toBe(375);
      await expectLedgerBalanced(t);
    },
    SLOW,
  );

  test(
    'a credit limit lets the balance go below zero down to the floor, and no further',
    async () => {
      const patched = await reseller.client.patch(`/v1/accounts/${customer.id}`, { creditLimitMinor: 500 });
      expect(patched.body.creditLimitMinor).toBe(500);
      // 375 + 500 = 875 available: two of 400 fit, the third does not.
      const sent = await customer.client.send([text(RU), text(RU), text(RU)]);
      expect(sent.body.result.map((r: { code: string }) => r.code)).toEqual(['OK', 'OK', 'REJECTED']);
      await waitForSettled(t, okIds(sent));
      expect(await balanceOf(customer.client, customer.id)).toBe(-425);
      await expectLedgerBalanced(t);
    },
    SLOW,
  );

  test('a reseller that sells below its cost must cover the difference; without funds its customers cannot send', async () => {
    const poor = await childWithKey(platform, t, { name: 'Poor reseller', kind: 'reseller' });
    await platform.put(`/v1/accounts/${poor.id}/prices`, {
      prices: [{ country: '*', kind: 'text', priceMinor: 80 }],
    });
    const cheap = await childWithKey(poor.client, t, { name: 'Cheap', kind: 'customer' });
    await poor.client.put(`/v1/accounts/${cheap.id}/prices`, {
      prices: [{ country: '*', kind: 'text', priceMinor: 50 }],
    });
    await platform.post(`/v1/accounts/${poor.id}/credit`, { amountMinor: 1_000 });
    await poor.client.post(`/v1/accounts/${cheap.id}/credit`, { amountMinor: 1_000 });
    // Poor has 0 left and loses 30 a message.
    const sent = await cheap.client.send([text(RU)]);
    expect(sent.body.result[0]).toEqual({
      code: 'REJECTED',
      reasons: [{ key: 'billing.error' }],
      description: 'payment is required: an account above this one cannot cover this message',
    });
  });
});

describe('quotas', () => {
  test(
    "a parent's daily quota caps its whole subtree, whatever the child's own quota",
    async () => {
      await reseller.client.put(`/v1/accounts/${customer.id}/prices`, { prices: [] });
      await reseller.client.post(`/v1/accounts/${customer.id}/credit`, { amountMinor: 2_000 });
      // A quota counts what its subtree already sent today (messages not rejected, failed or expired).
      const usage = await reseller.client.get(`/v1/usage?from=${todayUtc()}&to=${todayUtc()}&groupBy=status`);
      expect(usage.status).toBe(200);
      const counted = usage.body.data
        .filter((row: { status: string }) => !['REJECTED', 'FAILED', 'EXPIRED'].includes(row.status))
        .reduce((sum: number, row: { messages: number }) => sum + row.messages, 0);
      expect(counted).toBe(5);
      await reseller.client.patch(`/v1/accounts/${customer.id}`, { dailyQuota: 1_000 });
      expect(
        (await platform.patch(`/v1/accounts/${reseller.id}`, { dailyQuota: counted + 1 })).body.dailyQuota,
      ).toBe(6);

      const sent = await customer.client.send([text(RU), text(RU)]);
      expect(sent.body.result).toEqual([
        { code: 'OK', messageId: expect.any(String) },
        {
          code: 'REJECTED',
          reasons: [{ key: 'quota.exceeded' }],
          description: 'the daily quota of an account above this one is used up; retry in the next period',
        },
      ]);
      await waitForSettled(t, okIds(sent));
    },
    SLOW,
  );

  test(
    "an account's own quota rejects with its own description; removing quotas lets it send again",
    async () => {
      await platform.patch(`/v1/accounts/${reseller.id}`, { dailyQuota: null });
      await reseller.client.patch(`/v1/accounts/${customer.id}`, { dailyQuota: 0 });
      const sent = await customer.client.send([text(RU)]);
      expect(sent.body.result[0]).toEqual({
        code: 'REJECTED',
        reasons: [{ key: 'quota.exceeded' }],
        description: expect.stringMatching(/^the daily quota of 0 messages is used up/),
      });
      await reseller.client.patch(`/v1/accounts/${customer.id}`, { dailyQuota: null });
      const again = await customer.client.send([text(RU)]);
      expect(again.body.result[0].code).toBe('OK');
      await waitForSettled(t, okIds(again));
      await expectLedgerBalanced(t);
    },
    SLOW,
  );
});

describe('usage', () => {
  test('a reseller sees its customers rolled up, by account and status, as JSON and as CSV', async () => {
    const query = `from=${todayUtc()}&to=${todayUtc()}&groupBy=account,status`;
    const usage = await reseller.client.get(`/v1/usage?${query}`);
    expect(usage.body.currency).toBe('RUB');
    const customerRows = usage.body.data.filter(
      (row: { accountId: string }) => row.accountId === customer.id,
    );
    expect(customerRows.length).toBeGreaterThan(0);
    for (const row of customerRows) {
      expect(row).toEqual({
        day: null,
        accountId: customer.id,
        sender: null,
        status: expect.stringMatching(/^(SENT|DELIVERED|READ|REJECTED)$/),
        country: null,
        messages: expect.any(Number),
        amountMinor: expect.any(Number),
      });
    }
    const paid = customerRows.reduce((sum: number, row: { amountMinor: number }) => sum + row.amountMinor, 0);
    // Every captured message: 100 + 125 + 400 + 400 + 400 + 100 + 100.
    expect(paid).toBe(1_625);

    const csv = await reseller.client.get(`/v1/usage?${query}&format=csv`);
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toBe('accountId,status,messages,amountMinor');
    expect(lines.slice(1).filter((line) => line.startsWith(`${customer.id},`))).toHaveLength(
      customerRows.length,
    );

    const byCountry = await customer.client.get(
      `/v1/usage?from=${todayUtc()}&to=${todayUtc()}&groupBy=country`,
    );
    expect(byCountry.body.data.map((row: { country: string }) => row.country).sort()).toEqual(['GB', 'RU']);
  });

  test('a bad date range is 400 with the parameter named', async () => {
    const bad = await customer.client.get('/v1/usage?from=2026-13-01&to=2026-12-01');
    expect(bad.status).toBe(400);
    expect(bad.body.reasons[0].key).toBe('invalid');
  });
});

describe('templates', () => {
  test(
    'a template is priced by its category; its reseller reviews it; one that does not render costs nothing',
    async () => {
      await platform.put(`/v1/accounts/${reseller.id}/prices`, {
        prices: [
          { country: '*', kind: 'text', priceMinor: 100 },
          { country: 'RU', kind: 'text', priceMinor: 80 },
          { country: '*', kind: 'template:authentication', priceMinor: 40 },
          { country: '*', kind: 'template:marketing', priceMinor: 400 },
        ],
      });
      const created = await customer.client.post('/v1/templates', {
        name: 'login_code',
        category: 'authentication',
        languages: [{ languageCode: 'en', body: 'Your code is {{1}}' }],
      });
      expect(created.status).toBe(201);
      await customer.client.post(`/v1/templates/${created.body.id}/submit`);
      const reviewed = await reseller.client.post(
        `/v1/templates/${created.body.id}/review?accountId=${customer.id}`,
        {
          languageCode: 'en',
          decision: 'approve',
        },
      );
      expect(reviewed.status).toBe(200);

      const before = await balanceOf(customer.client, customer.id);
      const sent = await customer.client.send([
        {
          from: 'Shop',
          to: RU,
          templateId: created.body.id,
          templateParams: { '1': '4821' },
          languageCode: 'en',
        },
        {
          from: 'Shop',
          to: RU,
          templateId: created.body.id,
          templateParams: { '1': '1', '2': 'extra' },
          languageCode: 'en',
        },
      ]);
      const [rendered, wrongParams] = okIds(sent);
      await waitForSettled(t, [rendered!]);
      const rows = await t.gateway.billing.db
        .selectFrom('reservations')
        .select(['message_id', 'price_kind', 'amount_minor', 'state'])
        .where('message_id', 'in', [rendered!, wrongParams!])
        .execute();
      // 40 × 1.25 markup; the message with the wrong parameters fails with 2308 and is never reserved.
      expect(rows).toEqual([
        {
          message_id: rendered,
          price_kind: 'template:authentication',
          amount_minor: '50',
          state: 'captured',
        },
      ]);
      expect(await balanceOf(customer.client, customer.id)).toBe(before - 50);
      await expectLedgerBalanced(t);
    },
    SLOW,
  );
});
