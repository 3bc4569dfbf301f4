import { type CallbackReceiver, startCallbackReceiver } from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ProductionRuntime, startProductionRuntime } from './production-runtime.js';
import { runSendScenario } from './send-scenario.js';

const apiKey = 'wag_production_e2e_key_0123456789';
let runtime: ProductionRuntime;
let receiver: CallbackReceiver;
let apiUrl: string;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  runtime = await startProductionRuntime({ apiKey });
  apiUrl = runtime.apiUrl;
});

afterAll(async () => {
  await runtime?.stop();
  await receiver?.close();
});

describe('production runtime: five services and a device agent as separate processes on Postgres and NATS', () => {
  test('sends the example message and calls back SENT, DELIVERED, READ', async () => {
    await runSendScenario({ baseUrl: apiUrl, apiKey, receiver });
  });

  test('a key revoked through billing stops working in the api process within seconds, by a bus event', async () => {
    const call = (path: string, key: string, init: RequestInit = {}) =>
      fetch(`${apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
      });
    const created = await call('/v1/accounts/acc_demo/keys', apiKey, {
      method: 'POST',
      body: JSON.stringify({ name: 'revoke me', scopes: ['read'] }),
    });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    // The api now holds the key in its cache (30 s): only billing's event can take it out sooner.
    expect((await call('/v1/balance', key)).status).toBe(200);
    expect((await call(`/v1/accounts/acc_demo/keys/${id}`, apiKey, { method: 'DELETE' })).status).toBe(200);
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await call('/v1/balance', key)).status;
    }
    expect(status).toBe(401);
  });
});
