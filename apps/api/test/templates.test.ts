import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, describe, expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';
import { approve, approvedTemplate, call, callAsSupervisor, review } from './support/templates.js';

/**
 * Templates through /v1 and sends that use them: the approved version of the language is what
 * goes out, and a template that does not render is accepted and fails with its code.
 */
let t: TestGateway;
let receiver: CallbackReceiver;
test.beforeAll(async ({ gateway }) => {
  receiver = await startCallbackReceiver();
  t = gateway;
}, SLOW);
afterAll(async () => {
  await receiver?.close();
}, SLOW);

/** Sends one template message; answers its id once it has a final status, with that message. */
async function sendTemplate(message: Record<string, unknown>) {
  const response = await t.send({ messages: [{ from: 'MyCompany', to: '79034567890', ...message }] });
  const { result } = (await response.json()) as SendBody;
  expect(result[0]).toEqual({ code: 'OK', messageId: expect.stringMatching(/^\d+$/) });
  return (result[0] as { messageId: string }).messageId;
}

async function finalMessage(messageId: string) {
  let message: { status: string; errorCode: number; text: string } | undefined;
  await expect
    .poll(
      async () => {
        message = (await call(t, 'GET', `/v1/messages/${messageId}`)).body;
        return message!.status;
      },
      { timeout: 60_000, interval: 200 },
    )
    .toMatch(/^(SENT|DELIVERED|READ|FAILED)$/);
  return message!;
}

describe('managing templates', () => {
  test('create, read, list, edit and delete, each language with its revisions', async () => {
    const created = await call(t, 'POST', '/v1/templates', {
      name: 'order_ready',
      category: 'utility',
      languages: [
        {
          languageCode: 'en',
          header: { format: 'text', text: 'Your order' },
          body: 'Order {{1}} is ready',
          footer: 'Shop Inc.',
          buttons: [{ type: 'url', text: 'Track', url: 'https://shop.example.com/t' }],
        },
        { languageCode: 'pt-br', body: 'Pedido {{1}} pronto' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^tpl_/),
      name: 'order_ready',
      category: 'utility',
      defaultLanguage: 'en',
      languages: [
        { languageCode: 'en', latest: { revision: 1, status: 'draft', footer: 'Shop Inc.' }, serving: null },
        { languageCode: 'pt_BR', latest: { revision: 1, status: 'draft' }, serving: null },
      ],
    });
    const id = created.body.id as string;
    expect((await call(t, 'GET', `/v1/templates/${id}`)).body).toEqual(created.body);
    const list = await call(t, 'GET', '/v1/templates?limit=100');
    expect(list.body.data.map((template: { id: string }) => template.id)).toContain(id);

    const edited = await call(t, 'PATCH', `/v1/templates/${id}`, {
      languages: [{ languageCode: 'ru', body: 'Заказ {{1}} готов' }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.languages.map((l: { languageCode: string }) => l.languageCode)).toEqual([
      'en',
      'pt_BR',
      'ru',
    ]);

    expect((await call(t, 'DELETE', `/v1/templates/${id}`)).status).toBe(204);
    expect((await call(t, 'GET', `/v1/templates/${id}`)).status).toBe(404);
  });

  test("another account's template answers 404, like a missing one", async () => {
    const id = await approvedTemplate(t, {
      name: 'private_one',
      languages: [{ languageCode: 'en', body: 'Hi {{1}}' }],
    });
    const stranger = {
      authorization: `Key ${await t.createKey(['send', 'read', 'manage'], 'acc_stranger')}`,
    };
    const missing = await call(t, 'GET', '/v1/templates/tpl_missing');
    expect(missing.status).toBe(404);
    for (const [method, path, body] of [
      ['GET', `/v1/templates/${id}`],
      ['GET', `/v1/templates/${id}?accountId=${t.accountId}`],
      ['GET', `/v1/templates?accountId=${t.accountId}`],
      ['PATCH', `/v1/templates/${id}`, { languages: [{ languageCode: 'en', body: 'x' }] }],
      ['DELETE', `/v1/templates/${id}`],
      ['POST', `/v1/templates/${id}/submit`],
      [
        'POST',
        `/v1/templates/${id}/review?accountId=${t.accountId}`,
        { languageCode: 'en', decision: 'pause' },
      ],
    ] as const) {
      const answer = await call(t, method, path, body, stranger);
      expect([method, path, answer.status, answer.body.reasons]).toEqual([
        method,
        path,
        404,
        [{ key: 'not.found' }],
      ]);
    }
    // Neither can the stranger send it: it fails with 2309 as a missing template would.
    const preview = await call(
      t,
      'POST',
      `/v1/templates/${id}/preview`,
      { templateParams: { '1': 'a' } },
      stranger,
    );
    expect(preview.body).toMatchObject({ ok: false, errorCode: 2309 });
    expect((await call(t, 'GET', '/v1/templates', undefined, stranger)).body.data).toEqual([]);
  });

  test('bad input is answered in the contract shape', async () => {
    const bad = await call(t, 'POST', '/v1/templates', {
      name: 'Bad Name',
      category: 'promo',
      languages: [{ languageCode: 'english', body: '' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'REJECTED', description: expect.any(String) });
    expect(bad.body.reasons).toEqual(
      expect.arrayContaining([
        { key: 'invalid', ref: 'name' },
        { key: 'invalid', ref: 'category' },
        { key: 'invalid', ref: 'languages.0.languageCode' },
      ]),
    );
    const gap = await call(t, 'POST', '/v1/templates', {
      name: 'gap',
      category: 'utility',
      languages: [{ languageCode: 'en', body: 'Hi {{2}}' }],
    });
    expect(gap).toMatchObject({
      status: 400,
      body: { reasons: [{ key: 'invalid' }], description: /without gaps/ },
    });
    await approvedTemplate(t, { name: 'taken', languages: [{ languageCode: 'en', body: 'x' }] });
    const taken = await call(t, 'POST', '/v1/templates', {
      name: 'taken',
      category: 'utility',
      languages: [{ languageCode: 'en', body: 'y' }],
    });
    expect(taken).toMatchObject({ status: 400, body: { description: /exists already/ } });
    const id = (
      await call(t, 'POST', '/v1/templates', {
        name: 'draft_only',
        category: 'marketing',
        languages: [{ languageCode: 'en', body: 'x' }],
      })
    ).body.id;
    const early = await review(t, id, {
      languageCode: 'en',
      decision: 'approve',
    });
    expect(early).toMatchObject({
      status: 400,
      body: { reasons: [{ key: 'invalid' }], description: /nothing pending/ },
    });
  });

  test('a key without manage may read templates but not change or review them', async () => {
    const reader = { authorization: `Key ${await t.createKey(['send', 'read'])}` };
    expect((await call(t, 'GET', '/v1/templates', undefined, reader)).status).toBe(200);
    const create = await call(
      t,
      'POST',
      '/v1/templates',
      { name: 'nope', category: 'utility', languages: [{ languageCode: 'en', body: 'x' }] },
      reader,
    );
    expect(create).toMatchObject({ status: 403, body: { reasons: [{ key: 'forbidden' }] } });
    const refused = await call(
      t,
      'POST',
      '/v1/templates/tpl_x/review',
      { languageCode: 'en', decision: 'approve' },
      reader,
    );
    expect(refused.status).toBe(403);
  });

  test('an account does not review its own templates: its reseller or the platform does', async () => {
    const created = await call(t, 'POST', '/v1/templates', {
      name: 'self_review',
      category: 'utility',
      languages: [{ languageCode: 'en', body: 'Hi' }],
    });
    await call(t, 'POST', `/v1/templates/${created.body.id}/submit`);
    const own = await call(t, 'POST', `/v1/templates/${created.body.id}/review`, {
      languageCode: 'en',
      decision: 'approve',
    });
    expect(own).toMatchObject({
      status: 403,
      body: { reasons: [{ key: 'forbidden' }], description: /reseller or the platform/ },
    });
    expect((await review(t, created.body.id, { languageCode: 'en', decision: 'approve' })).status).toBe(200);
  });

  test("the reviewer reads the account's templates with ?accountId= (its review queue)", async () => {
    const created = await call(t, 'POST', '/v1/templates', {
      name: 'queued_for_review',
      category: 'utility',
      languages: [{ languageCode: 'en', body: 'Hi {{1}}' }],
    });
    await call(t, 'POST', `/v1/templates/${created.body.id}/submit`);
    const list = await callAsSupervisor(t, 'GET', '/v1/templates');
    expect(list.status).toBe(200);
    expect(list.body.data.map((template: { id: string }) => template.id)).toContain(created.body.id);
    const one = await callAsSupervisor(t, 'GET', `/v1/templates/${created.body.id}`);
    expect(one.body.languages[0].latest).toMatchObject({ status: 'pending', body: 'Hi {{1}}' });
  });
});

describe('sending with a template', () => {
  test('sends the approved version of the language, falling back from a locale to its language', async () => {
    const id = await approvedTemplate(t, {
      name: 'welcome',
      defaultLanguage: 'ru',
      languages: [
        { languageCode: 'ru', body: 'Добро пожаловать, {{1}}' },
        { languageCode: 'pt', body: 'Bem-vindo, {{1}}' },
      ],
    });
    const sent = async (languageCode?: string) =>
      (
        await finalMessage(
          await sendTemplate({
            templateId: id,
            templateParams: { '1': 'Ana' },
            ...(languageCode ? { languageCode } : {}),
          }),
        )
      ).text;
    expect(await sent('pt_BR')).toBe('Bem-vindo, Ana');
    expect(await sent('PT')).toBe('Bem-vindo, Ana');
    // No languageCode: the template's default language.
    expect(await sent()).toBe('Добро пожаловать, Ana');
  });

  test('a template that does not render is accepted, then fails with its code in the callback and the message', async () => {
    const id = await approvedTemplate(t, {
      name: 'code_pt',
      category: 'authentication',
      languages: [{ languageCode: 'pt_PT', body: 'O seu código: {{1}}' }],
    });
    const cases = [
      { errorCode: 2308, message: { templateId: id, templateParams: {}, languageCode: 'pt_PT' } },
      { errorCode: 2309, message: { templateId: id, templateParams: { '1': '1' }, languageCode: 'de' } },
      { errorCode: 2309, message: { templateId: 'tpl_nothing_here', templateParams: { '1': '1' } } },
      { errorCode: 2310, message: { templateId: id, templateParams: { '1': '1' }, languageCode: 'pt_BR' } },
      {
        errorCode: 2311,
        message: { templateId: id, templateParams: { '1': '9'.repeat(257) }, languageCode: 'pt_PT' },
      },
    ];
    const messageIds: string[] = [];
    for (const [i, { errorCode, message }] of cases.entries()) {
      const messageId = await sendTemplate({
        ...message,
        callbackUrl: `${receiver.url}/case-${i}`,
        callbackData: `case-${i}`,
      });
      messageIds.push(messageId);
      expect(await finalMessage(messageId)).toMatchObject({ status: 'FAILED', errorCode });
      const preview = await call(t, 'POST', `/v1/templates/${message.templateId}/preview`, message);
      expect(preview.body).toMatchObject({ ok: false, errorCode, text: null });
    }
    const callbacks = await receiver.waitFor(cases.length, 30_000);
    const byOption = new Map(
      callbacks
        .flatMap((callback) => callback.body as Array<{ options: string; status: string; errorCode: number }>)
        .map((status) => [status.options, status]),
    );
    cases.forEach(({ errorCode }, i) => {
      expect(byOption.get(`case-${i}`)).toMatchObject({ status: 'FAILED', errorCode });
    });
    // Nothing is charged: a message that cannot render is never reserved.
    const reservations = await t.gateway.billing.db
      .selectFrom('reservations')
      .select('message_id')
      .where('message_id', 'in', messageIds)
      .execute();
    expect(reservations).toEqual([]);
  });

  test('a media header is sent as the message content, buttons as lines under the body', async () => {
    const created = await call(t, 'POST', '/v1/templates', {
      name: 'invoice_ready',
      category: 'utility',
      languages: [
        {
          languageCode: 'en',
          header: {
            format: 'media',
            mediaUrl: 'https://cdn.example.com/invoice.pdf',
            mediaType: 'application/pdf',
          },
          body: 'Invoice {{1}} is ready',
          buttons: [
            { type: 'phone', text: 'Call us', phoneNumber: '+74956460054' },
            { type: 'quick_reply', text: 'Thanks' },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    await approve(t, created.body.id, ['en']);
    const messageId = await sendTemplate({ templateId: created.body.id, templateParams: { '1': 'A-17' } });
    expect((await call(t, 'GET', `/v1/messages/${messageId}`)).body).toMatchObject({
      text: 'Invoice A-17 is ready\n\nCall us: +74956460054\n[Thanks]',
      contentUrl: 'https://cdn.example.com/invoice.pdf',
      contentType: 'application/pdf',
    });
  });

  test('preview shows the text a send would get', async () => {
    const id = await approvedTemplate(t, {
      name: 'preview_me',
      languages: [{ languageCode: 'en', body: 'Hi {{1}}, see {{2}}' }],
    });
    const preview = await call(t, 'POST', `/v1/templates/${id}/preview`, {
      templateParams: { '1': 'Ann', '2': 'you' },
    });
    expect(preview).toMatchObject({
      status: 200,
      body: { ok: true, text: 'Hi Ann, see you', languageCode: 'en', revision: 1, errorCode: 0 },
    });
  });

  test('an edit waits for approval; once approved, the next message uses the new text', async () => {
    const id = await approvedTemplate(t, {
      name: 'promo',
      languages: [{ languageCode: 'en', body: 'Sale: {{1}} off' }],
    });
    const send = async () =>
      (await finalMessage(await sendTemplate({ templateId: id, templateParams: { '1': '10%' } }))).text;
    expect(await send()).toBe('Sale: 10% off');

    await call(t, 'PATCH', `/v1/templates/${id}`, {
      languages: [{ languageCode: 'en', body: 'Today only: {{1}} off' }],
    });
    const submitted = await call(t, 'POST', `/v1/templates/${id}/submit`);
    expect(submitted.body.languages[0]).toMatchObject({
      latest: { revision: 2, status: 'pending' },
      serving: { revision: 1, status: 'approved' },
    });
    expect(await send()).toBe('Sale: 10% off');

    await review(t, id, { languageCode: 'en', decision: 'approve' });
    expect(await send()).toBe('Today only: 10% off');

    await review(t, id, {
      languageCode: 'en',
      decision: 'pause',
      reason: 'complaints',
    });
    expect(
      await finalMessage(await sendTemplate({ templateId: id, templateParams: { '1': '10%' } })),
    ).toMatchObject({
      status: 'FAILED',
      errorCode: 2309,
    });
  });
});
