import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWagateClient } from '@wagate/client';
import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedGateway, startEmbeddedGateway } from '../src/embedded-gateway.js';
import { runSendScenario } from './send-scenario.js';

const apiKey = 'wag_embedded_test_key_0123456789';
let dataDir: string;
let gateway: EmbeddedGateway;
let receiver: CallbackReceiver;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wagate-embedded-'));
  receiver = await startCallbackReceiver();
  gateway = await startEmbeddedGateway({ port: 0, dataDir, apiKey });
});

afterAll(async () => {
  await gateway?.stop();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded gateway (PGlite, in-process bus, simulated devices)', () => {
  test('sends the example message and calls back SENT, DELIVERED, READ', async () => {
    await runSendScenario({ baseUrl: gateway.url, apiKey, receiver });
  });

  test('keeps messages across a restart on the same data directory', async () => {
    const before = receiver.received.length;
    const { messageId } = await runSendScenario({
      baseUrl: gateway.url,
      apiKey,
      receiver: offset(receiver, before),
    });
    await gateway.stop();
    gateway = await startEmbeddedGateway({ port: 0, dataDir, apiKey });
    const lookup = await createWagateClient(gateway.url, apiKey).GET('/v1/messages/{messageId}', {
      params: { path: { messageId } },
    });
    expect(lookup.response.status).toBe(200);
    expect(lookup.data).toMatchObject({ messageId, status: 'READ' });
  });

  test('calls back ids that a plain JSON.parse keeps apart', async () => {
    const before = receiver.received.length;
    const client = createWagateClient(gateway.url, apiKey);
    const sent = await client.POST('/whatsapp/messages', {
      body: {
        messages: [1, 2, 3, 4].map((n) => ({
          from: 'MyCompany',
          to: `7903456780${n}`,
          text: `Batch ${Date.now()} #${n}`,
          callbackUrl: `${receiver.url}/batch`,
        })),
      },
    });
    const sentIds = sent.data!.result.map((result) => (result.code === 'OK' ? result.messageId : 'rejected'));
    expect(sentIds).toHaveLength(4);
    // SENT, DELIVERED and READ for each of the four; only the ids matter here.
    const callbacks = await offset(receiver, before).waitFor(12, 60_000);
    const parsedIds = callbacks.flatMap((callback) =>
      (JSON.parse(callback.rawBody) as Array<{ messageId: number }>).map((status) => status.messageId),
    );
    for (const id of parsedIds) expect(Number.isSafeInteger(id)).toBe(true);
    expect(new Set(parsedIds.map(String))).toEqual(new Set(sentIds));
  });

  test('answers bad input in the contract shape with a 4xx, never a 500', async () => {
    const client = createWagateClient(gateway.url, apiKey);
    // The typed client sends what its schema allows; these bodies are written out by hand.
    const send = (raw: string, headers: Record<string, string | null> = {}) =>
      client.POST('/whatsapp/messages', { body: { messages: [] }, bodySerializer: () => raw, headers });
    const cases: Array<[Awaited<ReturnType<typeof send>>, number, string]> = [
      [await send('{"messages": ['), 400, 'malformed.json'],
      [await send('[1,2,3]'), 400, 'invalid'],
      [await send('"text"'), 400, 'invalid'],
      [await send('{}'), 400, 'must.be.not.null'],
      [await send('{"messages":[]}', { authorization: null }), 401, 'unauthorized'],
      [
        await send('{"messages":[]}', { authorization: 'Key wag_not_a_real_key_000000' }),
        401,
        'unauthorized',
      ],
      [await send('{"messages":[]}', { 'content-type': 'text/plain' }), 415, 'unsupported.media.type'],
    ];
    for (const [{ response, error }, status, key] of cases) {
      expect(response.status).toBe(status);
      expect(error).toMatchObject({ code: 'REJECTED', reasons: [{ key }], description: expect.any(String) });
    }
  });
});

/** A view of the receiver that ignores callbacks that arrived before `start`. */
function offset(receiver: CallbackReceiver, start: number): CallbackReceiver {
  return {
    ...receiver,
    get received() {
      return receiver.received.slice(start);
    },
    waitFor: async (count, timeoutMs) => (await receiver.waitFor(start + count, timeoutMs)).slice(start),
  };
}
