import { expect } from 'vitest';
import { SLOW, type TestGateway, validMessage, test } from './support/gateway.js';

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

test(
  'a message reserved but then not accepted gets its reservation released; the sent one keeps it',
  async () => {
    const response = await t.send({
      messages: [validMessage, { ...validMessage, from: 'SomeoneElsesCompany' }],
    });
    const body = (await response.json()) as { result: Array<{ code: string; messageId?: string }> };
    expect(body.result.map((r) => r.code)).toEqual(['OK', 'REJECTED']);

    const reservations = await t.gateway.database.db
      .withSchema('billing')
      .selectFrom('reservations')
      .select(['message_id', 'state'])
      .where('account_id', '=', t.accountId)
      .execute();
    expect(reservations).toHaveLength(2);
    const sent = reservations.find((r) => r.message_id === body.result[0]!.messageId)!;
    const rejected = reservations.find((r) => r.message_id !== body.result[0]!.messageId)!;
    expect(rejected.state).toBe('released');
    expect(sent.state).not.toBe('released');
  },
  SLOW,
);
