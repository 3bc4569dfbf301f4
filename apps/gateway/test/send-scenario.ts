import { createWagateClient } from '@wagate/client';
import type { CallbackReceiver } from '@wagate/testkit';
import { expect } from 'vitest';

/**
 * The walking skeleton's scenario, shared by the embedded and the multi-process tests: the
 * first message of the contract's example request is accepted, called back as SENT,
 * DELIVERED and READ with its callbackData, and shown with its history. It calls the API
 * through the typed client generated from the OpenAPI document, as a tenant would.
 */
let runs = 0;

export async function runSendScenario(options: {
  baseUrl: string;
  apiKey: string;
  receiver: CallbackReceiver;
}) {
  const client = createWagateClient(options.baseUrl, options.apiKey);
  const callbackData = 'order-42';
  // Each run sends another code: the same message again within the duplicate window fails with 2009.
  const text = `Code: ${1234 + runs++}`;
  const sent = await client.POST('/whatsapp/messages', {
    body: {
      messages: [
        {
          from: 'MyCompany',
          to: '79034567890',
          text,
          callbackUrl: `${options.receiver.url}/callbacks`,
          callbackData,
        },
      ],
    },
  });
  expect(sent.response.status).toBe(200);
  expect(sent.data).toEqual({ result: [{ code: 'OK', messageId: expect.stringMatching(/^\d{1,19}$/) }] });
  const [result] = sent.data!.result;
  if (result?.code !== 'OK') throw new Error(`the message was rejected: ${JSON.stringify(result)}`);
  const messageId = result.messageId;
  expect(BigInt(messageId) < 2n ** 63n).toBe(true);

  const callbacks = await options.receiver.waitFor(3, 30_000);
  expect(callbacks.map((callback) => callback.body)).toEqual(
    ['SENT', 'DELIVERED', 'READ'].map((status) => [
      {
        messageId: expect.any(Number),
        ts: expect.any(Number),
        status,
        errorCode: 0,
        ip: '',
        browser: '',
        os: '',
        userAgent: '',
        options: callbackData,
      },
    ]),
  );
  for (const callback of callbacks) {
    // The 64-bit id is written with every digit, not rounded through a float.
    expect(callback.rawBody).toContain(`"messageId":${messageId},`);
    expect(callback.headers['content-type']).toBe('application/json');
  }

  const lookup = await client.GET('/v1/messages/{messageId}', { params: { path: { messageId } } });
  expect(lookup.response.status).toBe(200);
  expect(lookup.data).toMatchObject({
    messageId,
    from: 'MyCompany',
    to: '79034567890',
    text,
    status: 'READ',
  });
  expect(lookup.data!.history.map((entry) => entry.status)).toEqual([
    'ACCEPTED',
    'SENT',
    'DELIVERED',
    'READ',
  ]);
  return { messageId };
}
