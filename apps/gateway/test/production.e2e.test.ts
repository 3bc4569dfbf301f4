import { freePort } from '@wagate/rpc';
import {
  type CallbackReceiver,
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ServiceProcess,
  startCallbackReceiver,
  startServiceProcess,
} from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSendScenario } from './send-scenario.js';

const apiKey = 'wag_production_e2e_key_0123456789';
const processes: ServiceProcess[] = [];
let database: FreshPostgres;
let receiver: CallbackReceiver;
let apiUrl: string;

beforeAll(async () => {
  database = await freshPostgresUrl();
  receiver = await startCallbackReceiver();
  const bus = isolatedBusNames();
  const [billing, templates, dispatch, fleet, api] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  const infrastructure = {
    DATABASE_URL: database.url,
    NATS_URL: natsUrl(),
    NATS_STREAM: bus.streamName,
    NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    GRPC_HOST: '127.0.0.1',
  };
  const start = async (app: string, env: Record<string, string>, ready: RegExp) => {
    const process = startServiceProcess(app, env);
    processes.push(process);
    await process.waitForOutput(ready);
  };
  // Services migrate their own schemas on start; starting them together also exercises
  // concurrent migrations on one database.
  await Promise.all([
    start(
      'billing',
      { ...infrastructure, GRPC_PORT: `${billing}`, WAGATE_DEV_API_KEY: apiKey },
      /billing listening/,
    ),
    start('templates', { ...infrastructure, GRPC_PORT: `${templates}` }, /templates listening/),
    start(
      'fleet',
      {
        ...infrastructure,
        GRPC_PORT: `${fleet}`,
        WAGATE_ENROLMENT_TOKEN: 'e2e-enrolment-token',
        WAGATE_DEFAULT_ACCOUNT: 'acc_demo',
        WAGATE_DEFAULT_SENDER: 'MyCompany',
      },
      /fleet listening/,
    ),
    start(
      'dispatch',
      {
        ...infrastructure,
        GRPC_PORT: `${dispatch}`,
        FLEET_ADDRESS: `127.0.0.1:${fleet}`,
        // The test's callback receiver is on loopback, which production refuses by default.
        WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      },
      /dispatch listening/,
    ),
    start(
      'api',
      {
        PORT: `${api}`,
        DATABASE_URL: database.url,
        NATS_URL: infrastructure.NATS_URL,
        NATS_STREAM: infrastructure.NATS_STREAM,
        NATS_SUBJECT_PREFIX: infrastructure.NATS_SUBJECT_PREFIX,
        BILLING_ADDRESS: `127.0.0.1:${billing}`,
        TEMPLATES_ADDRESS: `127.0.0.1:${templates}`,
        DISPATCH_ADDRESS: `127.0.0.1:${dispatch}`,
        FLEET_ADDRESS: `127.0.0.1:${fleet}`,
        WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      },
      /api listening/,
    ),
  ]);
  await start(
    'device-agent',
    {
      FLEET_ADDRESS: `127.0.0.1:${fleet}`,
      WAGATE_ENROLMENT_TOKEN: 'e2e-enrolment-token',
      WAGATE_SIM_DEVICES: '1',
    },
    /welcomed by the fleet/,
  );
  apiUrl = `http://127.0.0.1:${api}`;
});

afterAll(async () => {
  await Promise.all(processes.map((process) => process.stop()));
  await receiver?.close();
  await database?.drop();
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
      headers: { authorization: `Key ${apiKey}`, 'content-type': 'application/json', 'x-request-id': 'e2e-req-7' },
      body: JSON.stringify({ name: 'logged', scopes: ['read'] }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('e2e-req-7');
    const processNamed = (name: string) => processes.find((process) => process.name === name)!;
    const access = JSON.parse(await processNamed('api').waitForOutput(/"request_id":"e2e-req-7"/, 10_000));
    expect(access).toMatchObject({
      logger: 'api:access',
      method: 'POST',
      route: '/v1/accounts/:accountId/keys',
      status: 201,
      account_id: 'acc_demo',
    });
    expect(access.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const billingLine = JSON.parse(
      await processNamed('billing').waitForOutput(new RegExp(`"trace_id":"${access.trace_id}".*API key created`), 10_000),
    );
    // account_id comes from the request's baggage, not from the line's own fields.
    expect(billingLine.account_id).toBe('acc_demo');
  });
});
