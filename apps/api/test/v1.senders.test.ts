import { expect } from 'vitest';
import { SLOW, type TestGateway, test } from './support/gateway.js';

/** `GET /v1/senders`: the account's senders with their devices, one page at a time. */

interface Page {
  data: Array<{
    senderId: string;
    name: string;
    numbers: string[];
    devices: number;
    devicesConnected: number;
    createdAt: string;
  }>;
  nextCursor: string | null;
}

let t: TestGateway;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  // Senders have no management API yet (the fleet issue): the test adds some in fleet's table.
  await t.gateway.database.db
    .withSchema('fleet')
    .insertInto('senders')
    .values(
      ['Alpha', 'Beta', 'Gamma'].map((name) => ({ id: `snd_test_${name}`, account_id: t.accountId, name })),
    )
    .execute();
}, SLOW);

async function page(query: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await t.request(`/v1/senders${query}`, { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

test('lists the senders by name, with their numbers and connected devices', async () => {
  const { data, nextCursor } = await page('');
  expect(nextCursor).toBeNull();
  expect(data.map((sender) => sender.name)).toEqual(['Alpha', 'Beta', 'Gamma', 'MyCompany']);
  await expect
    .poll(async () => (await page('')).data.at(-1))
    .toEqual({
      senderId: expect.any(String),
      name: 'MyCompany',
      numbers: ['79990000001'],
      devices: 1,
      queuedJobs: 0,
      devicesConnected: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  expect(data[0]).toMatchObject({ name: 'Alpha', numbers: [], devices: 0, devicesConnected: 0 });
});

test('pages with limit and cursor', async () => {
  const first = await page('?limit=3');
  expect(first.data.map((sender) => sender.name)).toEqual(['Alpha', 'Beta', 'Gamma']);
  expect(first.nextCursor).toEqual(expect.any(String));
  const second = await page(`?limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`);
  expect(second).toEqual({ data: [expect.objectContaining({ name: 'MyCompany' })], nextCursor: null });
});

test('another account has its own (here: no) senders', async () => {
  const other = await t.createKey(['read'], 'acc_v1_senders_other');
  expect(await page('', { authorization: `Key ${other}` })).toEqual({ data: [], nextCursor: null });
});

test("the platform reads an account's senders with ?accountId=; a key outside the tree gets 404", async () => {
  const platform = await t.platformKey();
  const asPlatform = await page(`?accountId=${t.accountId}`, { authorization: `Key ${platform}` });
  expect(asPlatform.data.map((sender) => sender.name)).toContain('MyCompany');
  const other = await t.createKey(['read'], 'acc_v1_senders_other');
  const refused = await t.request(`/v1/senders?accountId=${t.accountId}`, {
    headers: { authorization: `Key ${other}` },
  });
  expect(refused.status).toBe(404);
});

test('a bad limit or cursor is 400 invalid', async () => {
  for (const [query, ref] of [
    ['?limit=0', 'limit'],
    ['?limit=1000', 'limit'],
    ['?cursor=%24%24%24', undefined],
  ] as const) {
    const response = await t.request(`/v1/senders${query}`);
    expect(response.status, query).toBe(400);
    expect(await response.json()).toEqual({
      code: 'REJECTED',
      reasons: [ref === undefined ? { key: 'invalid' } : { key: 'invalid', ref }],
      description: expect.stringMatching(/\w/),
    });
  }
});
