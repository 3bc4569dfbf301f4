import { createWagateClient, type WagateClient } from '@wagate/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type EmbeddedGateway, startEmbeddedGateway } from '../src/embedded-gateway.js';

const apiKey = 'wag_waiting_test_key_0123456789';
let gateway: EmbeddedGateway;
let client: WagateClient;

// A minute between offers: the one device's session starts as if it had just sent, so every
// message here waits for its pace for the whole test.
beforeAll(async () => {
  gateway = await startEmbeddedGateway({
    port: 0,
    apiKey,
    simDevices: 1,
    pacing: { newContactGapMs: 60_000, knownContactGapMs: 60_000 },
  });
  client = createWagateClient(gateway.url, apiKey);
});

afterAll(async () => {
  await gateway?.stop();
});

async function send(to: string, text: string): Promise<string> {
  const { data } = await client.POST('/whatsapp/messages', {
    body: { messages: [{ from: 'MyCompany', to, text }] },
  });
  const result = data?.result[0];
  if (result?.code !== 'OK') throw new Error(`not accepted: ${JSON.stringify(data)}`);
  return result.messageId;
}

async function waitingOf(messageId: string) {
  const { data } = await client.GET('/v1/messages/{messageId}', { params: { path: { messageId } } });
  return data?.waiting;
}

test('an accepted message says what holds it: the number’s pace, then the conversation’s order', async () => {
  const first = await send('79035550101', 'First of two');
  const second = await send('79035550101', 'Second of two');

  // Fleet takes the job from the bus shortly after the accept.
  await expect
    .poll(() => waitingOf(first), { timeout: 15_000 })
    .toMatchObject({
      rule: 'pacing',
      reason: 'the number waits 60 s between messages to new contacts',
    });
  const pace = await waitingOf(first);
  expect(Date.parse(pace!.until!)).toBeGreaterThan(Date.now());

  await expect
    .poll(() => waitingOf(second), { timeout: 15_000 })
    .toMatchObject({
      rule: 'conversation-order',
      reason: expect.stringContaining(`(${first})`),
    });
});

test('a message no longer accepted (sent, failed) carries no waiting field', async () => {
  // Refused by dispatch as a self-send: FAILED at once, never in fleet's queue.
  const self = await send(gateway.devices[0]!.info.phoneNumber, 'To myself');
  const { data } = await client.GET('/v1/messages/{messageId}', { params: { path: { messageId: self } } });
  expect(data?.status).toBe('FAILED');
  expect(data).not.toHaveProperty('waiting');
});
