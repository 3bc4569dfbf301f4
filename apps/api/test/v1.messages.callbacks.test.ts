import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, validMessage, test } from './support/gateway.js';

/** `GET /v1/messages/{id}/callbacks`: a message's status callbacks and how their delivery went. */

let t: TestGateway;
let accepting: CallbackReceiver;
let refusing: CallbackReceiver;
test.beforeAll(async ({ gateway }) => {
  accepting = await startCallbackReceiver();
  refusing = await startCallbackReceiver(() => ({ status: 410 }));
  t = gateway;
}, SLOW);
afterAll(async () => {
  await accepting?.close();
  await refusing?.close();
}, SLOW);

async function send(callbackUrl: string): Promise<string> {
  const { result } = (await (await t.send({ messages: [{ ...validMessage, callbackUrl }] })).json()) as SendBody;
  return (result[0] as { messageId: string }).messageId;
}

async function callbacksOf(messageId: string, key = t.apiKey) {
  const response = await t.request(`/v1/messages/${messageId}/callbacks`, {
    headers: { authorization: `Key ${key}` },
  });
  return { status: response.status, body: (await response.json()) as any };
}

test('lists each status callback of a message with its delivery state and attempts', async () => {
  const messageId = await send(accepting.url);
  await expect
    .poll(async () => (await callbacksOf(messageId)).body.data?.map((c: { state: string }) => c.state), {
      timeout: 60_000,
      interval: 200,
    })
    .toEqual(['delivered', 'delivered', 'delivered']);
  const { body } = await callbacksOf(messageId);
  expect(body.data.map((callback: { body: string }) => JSON.parse(callback.body)[0].status)).toEqual([
    'SENT',
    'DELIVERED',
    'READ',
  ]);
  for (const callback of body.data) {
    expect(callback).toMatchObject({
      webhookId: expect.stringMatching(/^cb_\d+$/),
      url: accepting.url,
      attempts: 1,
      lastError: null,
      deliveredAt: expect.any(String),
      nextAttemptAt: null,
    });
  }
});

test('a refused callback shows as failed with the reason', async () => {
  const messageId = await send(refusing.url);
  await expect
    .poll(async () => (await callbacksOf(messageId)).body.data?.[0]?.state, { timeout: 60_000, interval: 200 })
    .toBe('failed');
  const first = (await callbacksOf(messageId)).body.data[0];
  expect(first).toMatchObject({ attempts: 1, lastError: expect.stringContaining('410'), deliveredAt: null });
});

test("another account's message answers 404, like a missing one", async () => {
  const messageId = await send(accepting.url);
  const stranger = await t.createKey(['read'], 'acc_callbacks_stranger');
  for (const id of [messageId, '123456789']) {
    const answer = await callbacksOf(id, stranger);
    expect(answer).toMatchObject({ status: 404, body: { reasons: [{ key: 'not.found', ref: 'messageId' }] } });
  }
});
