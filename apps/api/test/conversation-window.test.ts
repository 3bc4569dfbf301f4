import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';
import { approvedTemplate, call, callAsSupervisor } from './support/templates.js';

/**
 * The 24-hour conversation window: with `enforce`, a free-form message needs the recipient to
 * have written to that sender in the last 24 hours (else 2312); templates are always allowed.
 * With `off` (the default), devices may open conversations.
 */
let t: TestGateway;
let incoming: CallbackReceiver;
test.beforeAll(async ({ gateway }) => {
  incoming = await startCallbackReceiver();
  t = gateway;
}, SLOW);
afterAll(async () => {
  await incoming?.close();
}, SLOW);

async function send(message: Record<string, unknown>) {
  const response = await t.send({ messages: [{ from: 'MyCompany', ...message }] });
  const { result } = (await response.json()) as SendBody;
  expect(result[0]).toEqual({ code: 'OK', messageId: expect.stringMatching(/^\d+$/) });
  const messageId = (result[0] as { messageId: string }).messageId;
  let final: { status: string; errorCode: number } | undefined;
  await expect
    .poll(
      async () => {
        final = (await call(t, 'GET', `/v1/messages/${messageId}`)).body;
        return final!.status;
      },
      { timeout: 60_000, interval: 200 },
    )
    .toMatch(/^(SENT|DELIVERED|READ|FAILED)$/);
  return final!;
}

test('by default the policy is off and a device may open a conversation', async () => {
  expect((await call(t, 'GET', '/v1/policies/conversation-window')).body).toEqual({
    mode: 'off',
    updatedAt: null,
  });
  expect(await send({ to: '79030000001', text: 'Hello first' })).toMatchObject({ errorCode: 0 });
});

test('with enforce, a free-form message fails with 2312 until the recipient writes; a template always goes', async () => {
  const set = await callAsSupervisor(t, 'PUT', '/v1/policies/conversation-window', { mode: 'enforce' });
  expect(set).toMatchObject({ status: 200, body: { mode: 'enforce', updatedAt: expect.any(String) } });
  // The supervisor reads back what it set for its customer; the customer sees the same on its own.
  expect(await callAsSupervisor(t, 'GET', '/v1/policies/conversation-window')).toMatchObject({
    status: 200,
    body: set.body,
  });
  expect((await call(t, 'GET', '/v1/policies/conversation-window')).body).toEqual(set.body);
  // The customer cannot read an account outside its tree (the platform's): 404, like a missing one.
  expect((await call(t, 'GET', '/v1/policies/conversation-window?accountId=acc_platform')).status).toBe(404);

  expect(await send({ to: '79030000002', text: 'Hello out of the blue' })).toMatchObject({
    status: 'FAILED',
    errorCode: 2312,
  });
  const templateId = await approvedTemplate(t, {
    name: 'opener',
    languages: [{ languageCode: 'en', body: 'Hi {{1}}' }],
  });
  expect(await send({ to: '79030000002', templateId, templateParams: { '1': 'Ann' } })).toMatchObject({
    errorCode: 0,
  });

  // The customer answers on the device serving MyCompany: the window opens for that recipient only.
  // It opens in the transaction that queues the incoming webhook, so its arrival means it is open.
  await call(t, 'PUT', '/v1/webhooks/incoming', { incomingUrl: `${incoming.url}/in`, statusUrl: null });
  t.gateway.devices[0]!.inbound('+7 903 000-00-02', 'Yes, tell me more', 'Ann');
  await incoming.waitFor(1, 30_000);
  expect(await send({ to: '79030000002', text: 'Here is more' })).toMatchObject({ errorCode: 0 });
  expect(await send({ to: '79030000003', text: 'Someone else' })).toMatchObject({ errorCode: 2312 });

  await callAsSupervisor(t, 'PUT', '/v1/policies/conversation-window', { mode: 'off' });
  expect(await send({ to: '79030000003', text: 'Someone else again' })).toMatchObject({ errorCode: 0 });
});

test('the policy takes only enforce or off, and only from a key that may manage the account', async () => {
  const bad = await callAsSupervisor(t, 'PUT', '/v1/policies/conversation-window', { mode: 'sometimes' });
  expect(bad).toMatchObject({ status: 400, body: { reasons: [{ key: 'invalid', ref: 'mode' }] } });
  const reader = { authorization: `Key ${await t.createKey(['send', 'read'])}` };
  const refused = await call(t, 'PUT', '/v1/policies/conversation-window', { mode: 'enforce' }, reader);
  expect(refused).toMatchObject({ status: 403, body: { reasons: [{ key: 'forbidden' }] } });
});
