import { createWagateClient, type WagateClient } from '@wagate/client';
import {
  type Agent,
  type AutomationServer,
  startAgent,
  startAutomationServer,
  tokenSha256,
} from '@wagate/device-agent';
import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type EmbeddedGateway, startEmbeddedGateway } from '../src/embedded-gateway.js';

// The whole way, with an automation-app phone in place of the simulated ones: a tenant's
// message goes through the api, dispatch and fleet to an agent whose phone polls over HTTP,
// and what the phone reports comes back as the tenant's callbacks.
const apiKey = 'wag_automation_phone_test_key_01234';
const phoneToken = 'automation-e2e-phone-token-5c1f';
let gateway: EmbeddedGateway;
let phones: AutomationServer;
let agent: Agent;
let statuses: CallbackReceiver;
let incoming: CallbackReceiver;
let client: WagateClient;

/** The phone's side, in plain HTTP calls as an Automagic flow makes them. */
function phoneCall(path: string, init: RequestInit = {}) {
  return fetch(`${phones.url}/automation/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${phoneToken}`, ...init.headers },
  });
}

async function takeJob(): Promise<{ jobId: string; phone: string; text: string }> {
  for (;;) {
    const response = await phoneCall('/next?wait=5');
    if (response.status === 200)
      return (await response.json()) as { jobId: string; phone: string; text: string };
    expect(response.status).toBe(204);
  }
}

const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });

beforeAll(async () => {
  statuses = await startCallbackReceiver();
  incoming = await startCallbackReceiver();
  gateway = await startEmbeddedGateway({ port: 0, apiKey, simDevices: 0 });
  phones = await startAutomationServer({
    phones: [{ deviceKey: 'pixel-e2e', phoneNumber: '79990000077', tokenSha256: tokenSha256(phoneToken) }],
    host: '127.0.0.1',
    port: 0,
  });
  agent = startAgent({
    fleetAddress: gateway.agentPlane.address,
    fleetSecurity: gateway.agentPlane.security,
    agentId: 'automation-agent',
    enrolmentToken: gateway.enrolmentToken,
    drivers: phones.drivers,
  });
  client = createWagateClient(gateway.url, apiKey);
});

afterAll(async () => {
  await agent?.stop();
  await phones?.close();
  await gateway?.stop();
  await statuses?.close();
  await incoming?.close();
});

async function send(to: string, text: string): Promise<string> {
  const sent = await client.POST('/whatsapp/messages', {
    body: {
      messages: [{ from: 'MyCompany', to, text, callbackUrl: `${statuses.url}/status`, callbackData: to }],
    },
  });
  const [result] = sent.data?.result ?? [];
  if (result?.code !== 'OK') throw new Error(`not accepted: ${JSON.stringify(sent.data)}`);
  return result.messageId;
}

test('a message reaches the phone, and its report and ticks reach the tenant as SENT, DELIVERED, READ', async () => {
  const messageId = await send('79034567890', 'Your code: 4821');
  const job = await takeJob();
  expect(job).toMatchObject({ phone: '79034567890', text: 'Your code: 4821' });

  expect((await phoneCall(`/jobs/${job.jobId}/result`, form({ sent: 'true' }))).status).toBe(200);
  expect((await phoneCall(`/jobs/${job.jobId}/receipt`, form({ kind: 'delivered' }))).status).toBe(200);
  expect((await phoneCall(`/jobs/${job.jobId}/receipt`, form({ kind: 'read' }))).status).toBe(200);

  const callbacks = await statuses.waitFor(3, 30_000);
  expect(
    callbacks.map((callback) => (callback.body as Array<{ status: string; errorCode: number }>)[0]),
  ).toEqual(['SENT', 'DELIVERED', 'READ'].map((status) => expect.objectContaining({ status, errorCode: 0 })));
  expect(callbacks[0]!.rawBody).toContain(`"messageId":${messageId},`);
});

test('a recipient the phone finds is not on WhatsApp fails with 2305', async () => {
  await send('79035550000', 'Hello');
  const job = await takeJob();
  await phoneCall(`/jobs/${job.jobId}/result`, form({ sent: 'false', error: 'not_on_whatsapp' }));
  const callbacks = await statuses.waitFor(4, 30_000);
  expect(callbacks[3]!.body).toEqual([
    expect.objectContaining({ status: 'FAILED', errorCode: 2305, options: '79035550000' }),
  ]);
});

test("a WhatsApp notification the phone forwards reaches the account's incoming URL once", async () => {
  await client.PUT('/v1/webhooks/incoming', {
    body: { incomingUrl: `${incoming.url}/incoming`, statusUrl: null },
  });
  const notification = { title: '+7 903 111-22-33', text: 'Is my order ready?', package: 'com.whatsapp' };
  expect(await (await phoneCall('/notifications', form(notification))).json()).toEqual({
    accepted: 1,
    repeated: 0,
    ignored: [],
  });
  // WhatsApp posts the same notification again with the next message: not a second message.
  expect(await (await phoneCall('/notifications', form(notification))).json()).toMatchObject({ repeated: 1 });
  const [delivery] = await incoming.waitFor(1, 30_000);
  expect(delivery!.body).toMatchObject({
    to: '79990000077',
    from: '79031112233',
    text: 'Is my order ready?',
    profileName: '+7 903 111-22-33',
  });
});
