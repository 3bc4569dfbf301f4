import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const { messageId } = await runSendScenario({ baseUrl: gateway.url, apiKey, receiver: offset(receiver, before) });
    await gateway.stop();
    gateway = await startEmbeddedGateway({ port: 0, dataDir, apiKey });
    const lookup = await fetch(`${gateway.url}/v1/messages/${messageId}`, { headers: { authorization: `Key ${apiKey}` } });
    expect(lookup.status).toBe(200);
    expect(await lookup.json()).toMatchObject({ messageId, status: 'READ' });
  });

  test('answers bad input in the contract shape with a 4xx, never a 500', async () => {
    const send = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/whatsapp/messages`, {
        method: 'POST',
        headers: { authorization: `Key ${apiKey}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const cases: Array<[Response, number, string]> = [
      [await send('{"messages": ['), 400, 'malformed.json'],
      [await send('[1,2,3]'), 400, 'invalid'],
      [await send('"text"'), 400, 'invalid'],
      [await send('{}'), 400, 'must.be.not.null'],
      [await send('{"messages":[]}', { authorization: '' }), 401, 'unauthorized'],
      [await send('{"messages":[]}', { authorization: 'Key wag_not_a_real_key_000000' }), 401, 'unauthorized'],
      [await send('{"messages":[]}', { 'content-type': 'text/plain' }), 415, 'unsupported.media.type'],
    ];
    for (const [response, status, key] of cases) {
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code: 'REJECTED', reasons: [{ key }], description: expect.any(String) });
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
