import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AutomationServer, DeviceInbound, DeviceReceipt, PhoneReport } from '../../src/index.js';
import { automationPhone, phoneTokens, sendJob, startTwoPhones } from '../support/automation-phone.js';

describe('automation driver: tokens and bad requests', () => {
  let server: AutomationServer;

  beforeEach(async () => {
    server = await startTwoPhones();
  });
  afterEach(() => server.close());

  test.each([
    ['a wrong token', { authorization: 'Bearer not-a-phone-token' }],
    ['no token', {}],
    ['another scheme', { authorization: `Basic ${phoneTokens[0]}` }],
  ])('%s is 401 with a JSON error on every route', async (_name, headers: Record<string, string>) => {
    for (const [method, path] of [
      ['GET', '/next?wait=0'],
      ['POST', '/jobs/job-1/result'],
      ['POST', '/jobs/job-1/receipt'],
      ['POST', '/notifications'],
    ] as const) {
      const response = await fetch(`${server.url}/automation/v1${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({
        error: 'unauthorized',
        message: "missing or unknown device token: send 'Authorization: Bearer <token>'",
      });
    }
  });

  const phone = () => automationPhone(server.url, phoneTokens[0]);

  test.each([
    ['sent missing', {}, /^sent: /],
    ['sent not a flag', { sent: 'yes' }, /^sent: /],
    ['not sent without saying why', { sent: false }, /^error: required when sent is false/],
  ])('a result with %s is 400, saying what to fix', async (_name, body, message) => {
    const response = await phone().report('job-1', body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('bad_request');
    expect(answer.message).toMatch(message);
  });

  test('a body that is not the JSON it claims is 400; an unknown content type is 415', async () => {
    const url = `${server.url}/automation/v1/jobs/job-1/result`;
    const headers = { authorization: `Bearer ${phoneTokens[0]}` };
    const broken = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"sent":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      error: 'bad_request',
      message: 'the body is not valid application/json',
    });
    const xml = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/xml' },
      body: '<sent/>',
    });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  test('a poll asking to wait too long, or with a battery above 100, is 400', async () => {
    const tooLong = await phone().poll('wait=3600');
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({ error: 'bad_request', message: 'wait: at most 60 seconds' });
    const battery = await phone().poll('wait=0&battery=140');
    expect(battery.status).toBe(400);
    expect(((await battery.json()) as { message: string }).message).toMatch(/^battery: /);
  });

  test('a body over 64 KiB is 413', async () => {
    const response = await phone().notify({ title: 'Anna', text: 'x'.repeat(70_000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: 'payload_too_large',
      message: 'the body is larger than 65536 bytes',
    });
  });

  test('a receipt of an unknown kind is 400; an empty notification is 400', async () => {
    const receipt = await phone().receipt('job-1', 'seen');
    expect(receipt.status).toBe(400);
    expect(((await receipt.json()) as { message: string }).message).toMatch(/^kind: /);
    const notification = await phone().notify({ title: ' ', text: '' });
    expect(notification.status).toBe(400);
    expect(await notification.json()).toEqual({
      error: 'bad_request',
      message: 'a notification needs a title, a text or lines',
    });
  });
});

describe('automation driver: incoming messages and ticks', () => {
  let server: AutomationServer;
  let inbound: DeviceInbound[];
  let receipts: DeviceReceipt[];
  let phone: ReturnType<typeof automationPhone>;

  beforeEach(async () => {
    server = await startTwoPhones();
    inbound = [];
    receipts = [];
    server.drivers[0]!.onInbound((message) => inbound.push(message));
    server.drivers[0]!.onReceipt((receipt) => receipts.push(receipt));
    phone = automationPhone(server.url, phoneTokens[0]);
  });
  afterEach(() => server.close());

  async function sendThroughPhone(jobId: string, report: PhoneReport) {
    const sending = server.drivers[0]!.send(sendJob(jobId));
    await phone.nextJob();
    await phone.report(jobId, report);
    return sending;
  }

  test('a notification becomes an incoming message; the same one again is recognised as a repeat', async () => {
    const postedAt = Date.parse('2026-12-01T10:15:30Z');
    const first = await phone.notify({ title: '+7 916 123-45-67', text: 'Is my order ready?', postedAt });
    expect(await first.json()).toEqual({ accepted: 1, repeated: 0, ignored: [] });
    const again = await phone.notify({
      title: '+7 916 123-45-67',
      text: 'Is my order ready?',
      postedAt: postedAt + 90_000,
    });
    expect(await again.json()).toEqual({ accepted: 0, repeated: 1, ignored: [] });
    expect(inbound).toEqual([
      {
        deviceMessageKey: expect.stringMatching(/^auto:[\da-f]{32}$/),
        from: '79161234567',
        text: 'Is my order ready?',
        profileName: '+7 916 123-45-67',
        atMs: postedAt,
      },
    ]);
  });

  test('the key depends on the phone, sender, text and posted minute, so it is the same after a restart', async () => {
    const postedAt = Date.parse('2026-12-01T10:15:30Z');
    await phone.notify({ title: 'Anna', text: 'Hi', postedAt });
    const restarted = await startTwoPhones();
    try {
      const keys: string[] = [];
      restarted.drivers[0]!.onInbound((message) => keys.push(message.deviceMessageKey));
      restarted.drivers[1]!.onInbound((message) => keys.push(message.deviceMessageKey));
      await automationPhone(restarted.url, phoneTokens[0]).notify({
        title: 'Anna',
        text: 'Hi',
        postedAt: postedAt + 10_000,
      });
      await automationPhone(restarted.url, phoneTokens[1]).notify({ title: 'Anna', text: 'Hi', postedAt });
      expect(keys[0]).toBe(inbound[0]!.deviceMessageKey);
      expect(keys[1]).not.toBe(inbound[0]!.deviceMessageKey);
    } finally {
      await restarted.close();
    }
  });

  test('grouped chats come in as one message per line; group chats and noise are left out, saying why', async () => {
    const response = await phone.notify({
      title: 'WhatsApp',
      text: '3 messages from 3 chats',
      lines: 'Anna: Hi\nBoris @ Family: Dinner at 8\nKate: 📷 Photo',
    });
    expect(await response.json()).toEqual({
      accepted: 2,
      repeated: 0,
      ignored: ['a message in the group chat "Family"'],
    });
    expect(inbound.map((message) => [message.profileName, message.text])).toEqual([
      ['Anna', 'Hi'],
      ['Kate', '📷 Photo'],
    ]);
    const call = await phone.notify({ title: 'Anna', text: 'Incoming voice call', package: 'com.whatsapp' });
    expect(await call.json()).toEqual({ accepted: 0, repeated: 0, ignored: ['a call'] });
    const telegram = await phone.notify({ title: 'Anna', text: 'Hi', package: 'org.telegram.messenger' });
    expect(await telegram.json()).toMatchObject({
      ignored: ['not a WhatsApp notification (org.telegram.messenger)'],
    });
    expect(inbound).toHaveLength(2);
  });

  test('a notification as a form (a repeated field is a list), or as one plain-text body, works too', async () => {
    await phone.postForm('/notifications', { title: 'Anna', text: 'from a form', postedAt: '1796119200' });
    await phone.postText('/notifications', 'Boris: from a plain body');
    await phone.postForm(
      '/notifications',
      new URLSearchParams([
        ['title', 'WhatsApp (2)'],
        ['lines', 'Kate: one'],
        ['lines', 'Kate: two'],
      ]),
    );
    expect(inbound.map((message) => [message.profileName, message.text, message.atMs])).toEqual([
      ['Anna', 'from a form', 1_796_119_200_000],
      ['Boris', 'from a plain body', expect.any(Number)],
      ['Kate', 'one', expect.any(Number)],
      ['Kate', 'two', expect.any(Number)],
    ]);
  });

  test('delivered and read ticks of a sent job reach the agent once each', async () => {
    await sendThroughPhone('job-1', { sent: true });
    expect(await (await phone.receipt('job-1', 'delivered')).json()).toEqual({ status: 'accepted' });
    expect(await (await phone.receipt('job-1', 'delivered')).json()).toEqual({ status: 'repeated' });
    expect(await (await phone.receipt('job-1', 'READ')).json()).toEqual({ status: 'accepted' });
    expect(receipts.map((receipt) => [receipt.messageId, receipt.kind])).toEqual([
      ['msg-job-1', 'DELIVERED'],
      ['msg-job-1', 'READ'],
    ]);
  });

  test('ticks of a job that was not sent (409) or is unknown (404) are refused', async () => {
    await sendThroughPhone('job-2', { sent: false, error: 'not_on_whatsapp' });
    expect((await phone.receipt('job-2', 'delivered')).status).toBe(409);
    expect((await phone.receipt('job-unknown', 'delivered')).status).toBe(404);
    expect(receipts).toEqual([]);
  });
});
