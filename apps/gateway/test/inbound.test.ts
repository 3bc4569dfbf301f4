import { createHmac } from 'node:crypto';
import { createWagateClient, type WagateClient } from '@wagate/client';
import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type EmbeddedGateway, startEmbeddedGateway } from '../src/embedded-gateway.js';

const apiKey = 'wag_inbound_test_key_0123456789';
let gateway: EmbeddedGateway;
let receiver: CallbackReceiver;
let client: WagateClient;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  gateway = await startEmbeddedGateway({ port: 0, apiKey, simDevices: 1 });
  client = createWagateClient(gateway.url, apiKey);
});

afterAll(async () => {
  await gateway?.stop();
  await receiver?.close();
});

test('a message a device receives reaches the account incoming URL in the contract shape, signed', async () => {
  const { response } = await client.PUT('/v1/webhooks/incoming', {
    body: { incomingUrl: `${receiver.url}/incoming`, statusUrl: null },
  });
  expect(response.status).toBe(200);
  const { data: secret } = await client.GET('/v1/webhooks/secret');
  const device = gateway.devices[0]!;

  device.inbound('79031112233', 'Hello, is the order ready?', 'Ivan');

  const [delivery] = await receiver.waitFor(1, 30_000);
  expect(delivery!.body).toEqual({
    incomingMessageId: expect.any(Number),
    to: device.info.phoneNumber,
    from: '79031112233',
    ts: expect.any(Number),
    text: 'Hello, is the order ready?',
    contentUrl: null,
    contentType: null,
    contentName: null,
    profileName: 'Ivan',
  });
  // Standard Webhooks: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">.
  const id = delivery!.headers['webhook-id'] as string;
  const timestamp = delivery!.headers['webhook-timestamp'] as string;
  const key = Buffer.from((secret as { secret: string }).secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${delivery!.rawBody}`).digest('base64');
  expect(String(delivery!.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
});
