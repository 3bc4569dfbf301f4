import type { CallbackReceiver } from '@wagate/testkit';
import { expect } from 'vitest';

/**
 * The walking skeleton's scenario, shared by the embedded and the multi-process tests: the
 * first message of the contract's example request is accepted, called back as SENT,
 * DELIVERED and READ with its callbackData, and shown with its history.
 */
export async function runSendScenario(options: { baseUrl: string; apiKey: string; receiver: CallbackReceiver }) {
  const callbackData = 'order-42';
  const response = await fetch(`${options.baseUrl}/whatsapp/messages`, {
    method: 'POST',
    headers: { authorization: `Key ${options.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      messages: [
        {
          from: 'MyCompany',
          to: '79034567890',
          text: 'Code: 1234',
          callbackUrl: `${options.receiver.url}/callbacks`,
          callbackData,
        },
      ],
    }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: Array<{ code: string; messageId: string }> };
  expect(body).toEqual({ result: [{ code: 'OK', messageId: expect.stringMatching(/^\d{1,19}$/) }] });
  const messageId = body.result[0]!.messageId;
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

  const lookup = await fetch(`${options.baseUrl}/v1/messages/${messageId}`, {
    headers: { authorization: `Key ${options.apiKey}` },
  });
  expect(lookup.status).toBe(200);
  const message = (await lookup.json()) as { status: string; history: Array<{ status: string }> };
  expect(message).toMatchObject({ messageId, from: 'MyCompany', to: '79034567890', text: 'Code: 1234', status: 'READ' });
  expect(message.history.map((entry) => entry.status)).toEqual(['ACCEPTED', 'SENT', 'DELIVERED', 'READ']);
  return { messageId };
}
