import { describe, expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';

/** `GET /v1/messages` and `GET /v1/messages/{id}`: filters, cursor pagination, errors. */

interface Summary {
  messageId: string;
  from: string;
  to: string;
  status: string;
  acceptedAt: string;
  updatedAt: string;
}
interface Page {
  data: Summary[];
  nextCursor: string | null;
}

let t: TestGateway;
let firstIds: string[];
let laterIds: string[];
let failedId: string;

test.beforeAll(async ({ gateway }) => {
  t = gateway;
  const send = async (messages: Array<Record<string, unknown>>) => {
    const body = (await (await t.send({ messages })).json()) as SendBody;
    return body.result.map((result) => (result as { messageId: string }).messageId);
  };
  firstIds = await send([
    { from: 'MyCompany', to: '79034567811', text: 'one' },
    { from: 'MyCompany', to: '79034567811', text: 'two' },
    { from: 'MyCompany', to: '79034567812', text: 'three' },
  ]);
  const firstAccepted = Date.now();
  // The later batch must be accepted in a later millisecond, so the time range can split them.
  while (Date.now() <= firstAccepted + 1) await new Promise((resolve) => setTimeout(resolve, 5));
  // Numbers ending in 0000 are not on WhatsApp for the simulated devices: that one FAILS.
  laterIds = await send([
    { from: 'MyCompany', to: '79034567811', text: 'four' },
    { from: 'MyCompany', to: '79034560000', text: 'five' },
  ]);
  failedId = laterIds[1]!;
}, SLOW);

async function page(query: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await t.request(`/v1/messages${query}`, { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

async function expectInvalid(query: string, ref: string | undefined) {
  const response = await t.request(`/v1/messages${query}`);
  expect(response.status).toBe(400);
  const body = await response.json();
  expect(body).toEqual({
    code: 'REJECTED',
    reasons: [ref === undefined ? { key: 'invalid' } : { key: 'invalid', ref }],
    description: expect.stringMatching(/\w/),
  });
}

describe('GET /v1/messages', () => {
  test('lists the account’s messages newest first, with their fields and status', async () => {
    const all = await page('');
    expect(all.nextCursor).toBeNull();
    expect(all.data.map((message) => message.messageId)).toEqual([...firstIds, ...laterIds].reverse());
    expect(all.data.at(-1)).toMatchObject({
      messageId: firstIds[0],
      from: 'MyCompany',
      to: '79034567811',
      text: 'one',
      status: expect.stringMatching(/^(ACCEPTED|SENT|DELIVERED|READ)$/),
      errorCode: 0,
      acceptedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  test('pages with limit and cursor until nextCursor is null, each message once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const next: Page = await page(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(next.data.length).toBeLessThanOrEqual(2);
      seen.push(...next.data.map((message) => message.messageId));
      cursor = next.nextCursor;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...firstIds, ...laterIds].reverse());
  });

  test('filters by recipient written in any form the send call takes', async () => {
    const { data } = await page(`?recipient=${encodeURIComponent('+7 (903) 456-78-11')}`);
    expect(data.map((message) => message.messageId)).toEqual([laterIds[0], firstIds[1], firstIds[0]]);
    expect((await page('?recipient=89034567812')).data.map((message) => message.messageId)).toEqual([
      firstIds[2],
    ]);
  });

  test('filters by sender', async () => {
    expect((await page('?sender=MyCompany')).data).toHaveLength(5);
    expect((await page('?sender=SomeoneElse')).data).toEqual([]);
  });

  test('filters by current status', async () => {
    await expect
      .poll(async () => (await page('?status=FAILED')).data.map((message) => message.messageId), {
        timeout: 60_000,
      })
      .toEqual([failedId]);
    const [failed] = (await page('?status=FAILED')).data;
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 2305 });
  });

  test('filters by acceptance time: from is inclusive, to exclusive', async () => {
    const { data } = await page('');
    const laterAccepted = data.find((message) => message.messageId === laterIds[0])!.acceptedAt;
    expect((await page(`?from=${laterAccepted}`)).data.map((message) => message.messageId)).toEqual(
      [...laterIds].reverse(),
    );
    expect((await page(`?to=${laterAccepted}`)).data.map((message) => message.messageId)).toEqual(
      [...firstIds].reverse(),
    );
    expect((await page('?from=2020-01-01T00:00:00%2B03:00&to=2020-01-02T00:00:00Z')).data).toEqual([]);
  });

  test('another account sees none of them', async () => {
    const other = await t.createKey(['read'], 'acc_v1_messages_other');
    expect(await page('', { authorization: `Key ${other}` })).toEqual({ data: [], nextCursor: null });
  });

  test('bad parameters are 400 invalid naming the parameter', async () => {
    await expectInvalid('?limit=0', 'limit');
    await expectInvalid('?limit=101', 'limit');
    await expectInvalid('?limit=ten', 'limit');
    await expectInvalid('?status=LOST', 'status');
    await expectInvalid('?from=yesterday', 'from');
    await expectInvalid('?to=2026-13-01T00:00:00Z', 'to');
    await expectInvalid('?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'from');
    await expectInvalid('?recipient=nobody', 'recipient');
  });

  test('a cursor that no list returned is 400 invalid, with dispatch’s reason', async () => {
    const response = await t.request('/v1/messages?cursor=not-a-cursor');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 'REJECTED',
      reasons: [{ key: 'invalid' }],
      description: expect.stringMatching(/cursor/),
    });
  });
});

describe('GET /v1/messages/{messageId}', () => {
  test('shows the message with its history', async () => {
    const response = await t.request(`/v1/messages/${firstIds[0]}`);
    expect(response.status).toBe(200);
    const message = (await response.json()) as { history: unknown[] };
    expect(message).toMatchObject({
      messageId: firstIds[0],
      from: 'MyCompany',
      to: '79034567811',
      text: 'one',
    });
    expect(message.history[0]).toMatchObject({
      status: 'ACCEPTED',
      errorCode: 0,
      source: 'api',
      ts: expect.any(Number),
    });
  });

  test('another account’s message, or none, is 404 not.found', async () => {
    const other = await t.createKey(['read'], 'acc_v1_messages_other');
    for (const [id, headers] of [
      [firstIds[0]!, { authorization: `Key ${other}` }],
      ['1', {}],
      ['not-an-id', {}],
    ] as const) {
      const response = await t.request(`/v1/messages/${id}`, { headers });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        code: 'REJECTED',
        reasons: [{ key: 'not.found', ref: 'messageId' }],
        description: expect.stringContaining(id),
      });
    }
  });
});
