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
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.${delivery!.rawBody}`)
    .digest('base64');
  expect(String(delivery!.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
});

test('a photo, a location and a contact card reach the incoming URL in the contract fields', async () => {
  await client.PUT('/v1/webhooks/incoming', {
    body: { incomingUrl: `${receiver.url}/rich`, statusUrl: null },
  });
  const device = gateway.devices[0]!;
  const already = receiver.received.length;

  device.inbound('79031112244', 'Our office', 'Olga', {
    media: { url: 'https://files.example.com/in/1.jpg', contentType: 'image/jpeg', name: '' },
  });
  device.inbound('79031112244', '', 'Olga', {
    location: {
      latitude: 55.7558,
      longitude: 37.6173,
      address: 'Red Square, Moscow',
      name: 'Kremlin',
      url: '',
    },
  });
  device.inbound('79031112244', '', 'Olga', {
    contacts: [
      {
        name: 'Petr Ivanov',
        company: 'Acme',
        birthday: '1990-05-17',
        phones: [{ phone: '+7 903 111-22-55', waId: '79031112255', type: 'CELL' }],
        emails: ['petr@example.com'],
        urls: [],
        addresses: [],
      },
    ],
  });

  const deliveries = (await receiver.waitFor(already + 3, 30_000)).slice(already);
  const byText = (predicate: (body: Record<string, unknown>) => boolean) =>
    deliveries.map((delivery) => delivery.body as Record<string, unknown>).find(predicate);
  expect(byText((body) => body.contentUrl !== null)).toMatchObject({
    text: 'Our office',
    contentUrl: 'https://files.example.com/in/1.jpg',
    contentType: 'image/jpeg',
    contentName: null,
    profileName: 'Olga',
  });
  expect(byText((body) => 'whatsAppGeoLocation' in body)).toMatchObject({
    contentUrl: null,
    whatsAppGeoLocation: {
      latitude: 55.7558,
      longitude: 37.6173,
      address: 'Red Square, Moscow',
      addressName: 'Kremlin',
      addressurl: '',
    },
  });
  expect(byText((body) => 'whatsAppContacts' in body)).toMatchObject({
    whatsAppContacts: [
      {
        contactName: 'Petr Ivanov',
        contactCompany: 'Acme',
        birthday: '1990-05-17',
        phones: [{ phone: '+7 903 111-22-55', waId: '79031112255', type: 'CELL' }],
        emails: ['petr@example.com'],
        urls: [],
        addresses: [],
      },
    ],
  });
  // Only the message that carried cards has the key (the plain text above has neither key: toEqual).
  expect(deliveries.filter((delivery) => 'whatsAppContacts' in (delivery.body as object))).toHaveLength(1);
});
