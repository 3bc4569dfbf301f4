import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';
import { approvedTemplate } from './support/templates.js';

/**
 * Batch semantics: valid and invalid messages of one request each get their own result, in
 * request order, in one 200 response; the valid ones are sent, with every field of the
 * contract carried through to dispatch.
 */

let t: TestGateway;
let receiver: CallbackReceiver;
let templateId: string;
test.beforeAll(async ({ gateway }) => {
  receiver = await startCallbackReceiver();
  t = gateway;
  templateId = await approvedTemplate(t, {
    name: 'account_activated',
    languages: [{ languageCode: 'ru', body: 'Аккаунт активирован. Поддержка: {{1}}, {{2}}' }],
  });
}, SLOW);
afterAll(async () => {
  await receiver?.close();
}, SLOW);

const text = () => ({
  from: 'MyCompany',
  to: '+7 (903) 456-78-90',
  text: 'Code: 1234',
  callbackUrl: `${receiver.url}/status`,
  callbackData: 'order-42',
  validity: 3600,
});
const media = {
  from: 'MyCompany',
  to: '79034567891',
  text: 'Your invoice',
  contentUrl: 'https://example.com/files/invoice-42.pdf',
  contentName: 'invoice-42.pdf',
  contentType: 'application/pdf',
};
const template = () => ({
  from: 'MyCompany',
  to: '89034567892',
  templateId,
  templateParams: { '1': '+7(495) 646 00 54', '2': 'https://devino.online' },
  languageCode: 'ru',
  validity: 86_400,
  callbackUrl: `${receiver.url}/template-status`,
});

test('each message gets its own result in request order, and only the valid ones are accepted', async () => {
  const response = await t.send({
    messages: [
      text(),
      { ...text(), to: 'nobody' },
      media,
      { ...text(), from: 'NotMine' },
      template(),
      null,
      { ...template(), templateId: 'no_such_template' },
    ],
  });
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as SendBody;
  expect(result).toEqual([
    { code: 'OK', messageId: expect.stringMatching(/^\d+$/) },
    {
      code: 'REJECTED',
      reasons: [{ key: 'invalid', ref: 'messages[1].to' }],
      description: expect.any(String),
    },
    { code: 'OK', messageId: expect.stringMatching(/^\d+$/) },
    {
      code: 'REJECTED',
      reasons: [{ key: 'not.available', ref: 'messages[3].from' }],
      description: expect.any(String),
    },
    { code: 'OK', messageId: expect.stringMatching(/^\d+$/) },
    {
      code: 'REJECTED',
      reasons: [{ key: 'must.be.not.null', ref: 'messages[5]' }],
      description: expect.any(String),
    },
    // A template that does not exist is accepted and fails with 2309 (see templates.test.ts).
    { code: 'OK', messageId: expect.stringMatching(/^\d+$/) },
  ]);
  const ids = [result[0], result[2], result[4]].map((entry) => (entry as { messageId: string }).messageId);
  // Ids are time-ordered and given in request order.
  expect([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(ids);

  const [textId, mediaId, templatedId] = ids;
  const fetchMessage = async (id: string) =>
    (await (await t.request(`/v1/messages/${id}`)).json()) as Record<string, unknown>;
  expect(await fetchMessage(textId!)).toMatchObject({
    from: 'MyCompany',
    to: '79034567890',
    text: 'Code: 1234',
    callbackUrl: `${receiver.url}/status`,
    callbackData: 'order-42',
    validity: 3600,
  });
  expect(await fetchMessage(mediaId!)).toMatchObject({
    to: '79034567891',
    contentUrl: media.contentUrl,
    contentName: media.contentName,
    contentType: media.contentType,
  });
  expect(await fetchMessage(templatedId!)).toMatchObject({
    to: '79034567892',
    text: 'Аккаунт активирован. Поддержка: +7(495) 646 00 54, https://devino.online',
    templateId,
    templateParams: template().templateParams,
    languageCode: 'ru',
    validity: 86_400,
    callbackUrl: template().callbackUrl,
  });

  // Sent: each accepted message reaches a device and is reported SENT (or later).
  for (const id of ids) {
    await expect
      .poll(async () => (await fetchMessage(id!)).status, { timeout: 60_000, interval: 250 })
      .toMatch(/^(SENT|DELIVERED|READ)$/);
  }
  // The rejected ones were never stored.
  const failedTemplateId = (result[6] as { messageId: string }).messageId;
  const list = (await (await t.request('/v1/messages?limit=100')).json()) as {
    data: Array<{ messageId: string }>;
  };
  expect(list.data.map((message) => message.messageId).sort()).toEqual([...ids, failedTemplateId].sort());
});

test('a batch of exactly 1000 messages is taken, each with its result', async () => {
  const invalid = { from: 'MyCompany', to: '79034567890' };
  const response = await t.send({ messages: Array.from({ length: 1000 }, () => invalid) });
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as SendBody;
  expect(result).toHaveLength(1000);
  expect(result[999]).toEqual({
    code: 'REJECTED',
    reasons: [{ key: 'must.be.not.null', ref: 'messages[999]' }],
    description: expect.any(String),
  });
});

test('a batch where every message is rejected still answers 200 with every result', async () => {
  const response = await t.send({ messages: [{}, 'text', 42] });
  expect(response.status).toBe(200);
  const { result } = (await response.json()) as SendBody;
  expect(result.map((entry) => entry.code)).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
  expect(result[1]).toEqual({
    code: 'REJECTED',
    reasons: [{ key: 'invalid', ref: 'messages[1]' }],
    description: expect.any(String),
  });
});

test(
  'the largest batch the API takes (1 000 texts of 4 096 characters, under the 5 MiB body limit) is accepted whole',
  async () => {
    // Each text is 4 096 code points, 600 of them two bytes in UTF-8: the body stays under the
    // body limit while the batch, handed to dispatch in one gRPC call, is larger than grpc-js's
    // default 4 MiB message limit — which would fail the whole request.
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      from: 'MyCompany',
      to: `7903${String(10_000_000 + i).slice(1)}`,
      text: `${i} ${'é'.repeat(600)}${'x'.repeat(4096 - 601 - String(i).length)}`,
    }));
    const body = JSON.stringify({ messages });
    expect(Buffer.byteLength(body)).toBeLessThan(5 * 1024 * 1024);
    expect(Buffer.byteLength(body)).toBeGreaterThan(4 * 1024 * 1024);
    const response = await t.send(body);
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as SendBody;
    expect(result.filter((entry) => entry.code !== "OK").slice(0, 1)).toEqual([]);
    expect(result.filter((entry) => entry.code === "OK")).toHaveLength(1000);
  },
  SLOW,
);
