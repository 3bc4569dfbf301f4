import { expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';

/**
 * `from` as one of the sender's numbers: the demo sender `MyCompany` has one simulated device,
 * number 79990000001 (as `GET /v1/senders` lists it). Every form the `to` field accepts names
 * the sender; another account's number answers like an unknown sender.
 */

let t: TestGateway;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  // Another account's sender with a device of its own number (no management API for senders).
  const fleet = t.gateway.database.db.withSchema('fleet');
  await fleet
    .insertInto('senders')
    .values({ id: 'snd_test_other', account_id: 'acc_other', name: 'Other' })
    .execute();
  await fleet
    .insertInto('devices')
    .values({
      id: 'dev_test_other',
      device_key: 'other-0',
      agent_id: 'agt_test_other',
      phone_number: '79990000077',
      sender_id: 'snd_test_other',
      driver: 'sim',
      android_version: '14',
      whatsapp_version: '2.24',
      last_seen_at: new Date(),
      account_id: 'acc_other',
    })
    .execute();
}, SLOW);

test('a sender number in any written form sends as the sender', async () => {
  const forms = ['79990000001', '+79990000001', '89990000001', '+7 (999) 000-00-01'];
  const response = await t.send({
    messages: forms.map((from, i) => ({ from, to: `7903456789${i}`, text: `From a number #${i}` })),
  });
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as SendBody;
  expect(result.map((r) => r.code)).toEqual(['OK', 'OK', 'OK', 'OK']);
  for (const sent of result) {
    const lookup = await t.request(`/v1/messages/${(sent as { messageId: string }).messageId}`);
    expect(lookup.status).toBe(200);
    expect(await lookup.json()).toMatchObject({ from: 'MyCompany' });
  }
  // Sent by the sender's device, as a message from its name would be.
  await expect
    .poll(
      async () => {
        const statuses = await Promise.all(
          result.map(async (sent) => {
            const lookup = await t.request(`/v1/messages/${(sent as { messageId: string }).messageId}`);
            return ((await lookup.json()) as { status: string }).status;
          }),
        );
        return statuses.every((status) => status !== 'ACCEPTED');
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBe(true);
});

test('a number no sender of the account has is not.available, another account’s included', async () => {
  const response = await t.send({
    messages: [
      { from: '79990000099', to: '79034567890', text: 'Unknown number' },
      { from: '+79990000077', to: '79034567890', text: 'Another account’s number' },
    ],
  });
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as SendBody;
  for (const [i, rejected] of result.entries()) {
    expect(rejected).toMatchObject({
      code: 'REJECTED',
      reasons: [{ key: 'not.available', ref: `messages[${i}].from` }],
    });
  }
});
