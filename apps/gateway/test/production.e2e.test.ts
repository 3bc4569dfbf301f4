import {
  type CallbackReceiver,
  type ProductionRuntime,
  startCallbackReceiver,
  startProductionRuntime,
} from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSendScenario } from './send-scenario.js';

let runtime: ProductionRuntime;
let receiver: CallbackReceiver;
let apiUrl: string;
let apiKey: string;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  runtime = await startProductionRuntime();
  apiUrl = runtime.apiUrl;
  apiKey = runtime.wiring.apiKey;
});

afterAll(async () => {
  await runtime?.close();
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

describe('tenant on every log line', () => {
  test('a request leaves one access line (route, status, account, request id, trace); billing logs its work under the same account and trace', async () => {
    const response = await fetch(`${apiUrl}/v1/accounts/acc_demo/keys`, {
      method: 'POST',
      headers: {
        authorization: `Key ${apiKey}`,
        'content-type': 'application/json',
        'x-request-id': 'e2e-req-7',
      },
      body: JSON.stringify({ name: 'logged', scopes: ['read'] }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('e2e-req-7');
    const access = JSON.parse(await runtime.processes.get('api')!.waitForOutput(/"request_id":"e2e-req-7"/, 10_000));
    expect(access).toMatchObject({
      logger: 'api:access',
      method: 'POST',
      route: '/v1/accounts/:accountId/keys',
      status: 201,
      account_id: 'acc_demo',
    });
    expect(access.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const billingLine = JSON.parse(
      await runtime.processes
        .get('billing')!
        .waitForOutput(new RegExp(`"trace_id":"${access.trace_id}".*API key created`), 10_000),
    );
    // account_id comes from the request's baggage, not from the line's own fields.
    expect(billingLine.account_id).toBe('acc_demo');
  });
});
