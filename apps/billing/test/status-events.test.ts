import { type MessageStatusEvent, Topics } from '@wagate/contracts';
import { expect } from 'vitest';
import { fundedCustomer, ledgerProblems } from '../src/testing.js';
import { test } from './support/billing.js';

/**
 * Billing settles a message from the status events it hears on the bus, exactly once however
 * often they arrive: the bus redelivers, and a late FAILED may follow a SENT.
 */

const reseller = 'acc_events_reseller';
const customer = 'acc_events_customer';

test.beforeAll(async ({ billing }) => {
  await fundedCustomer(billing.service.db, {
    reseller: { id: reseller, textPriceMinor: 80 },
    customer: { id: customer, textPriceMinor: 100 },
    creditMinor: 1_000n,
  });
});

test('a redelivered SENT event charges nothing more, and a FAILED after SENT releases nothing', async ({
  billing,
}) => {
  const db = billing.service.db;
  const messageId = '20001';
  const { results } = await billing.client.reserve({
    accountId: customer,
    items: [{ messageId, recipient: '79034567890', kind: 'text', sender: 'Shop', templateCategory: '' }],
  });
  expect(results[0]?.reserved).toBe(true);
  const event = (status: string): MessageStatusEvent => ({
    messageId,
    accountId: customer,
    status,
    errorCode: 0,
    atMs: Date.now(),
    source: 'test:redelivery',
  });
  const publish = (id: string, status: string) =>
    billing.bus.publish({ topic: Topics.messageStatus, id, key: messageId, data: event(status) });
  const reservation = () =>
    db
      .selectFrom('reservations')
      .select(['state', 'last_status'])
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
  const entries = () =>
    db.selectFrom('ledger_entries').select('id').where('message_id', '=', messageId).execute();
  const balance = async () => (await billing.client.getBalance({ accountId: customer })).balanceMinor;

  await publish(`sent:${messageId}`, 'SENT');
  await expect.poll(async () => (await reservation()).state).toBe('captured');
  const before = (await entries()).length;
  // The customer pays the reseller, the reseller the platform: two transfers, four entries.
  expect(before).toBe(4);
  const balanceBefore = await balance();

  // New event ids, so the bus delivers them again as a redelivery would; the same key keeps them in order.
  for (const status of ['SENT', 'FAILED', 'SENT']) {
    await publish(`redelivered:${messageId}:${status}:${Math.random()}`, status);
  }
  await publish(`marker:${messageId}`, 'READ');
  await expect.poll(async () => (await reservation()).last_status).toMatch(/READ|FAILED/);
  expect((await entries()).length).toBe(before);
  expect(await balance()).toBe(balanceBefore);
  expect(await ledgerProblems(db)).toEqual([]);
});
