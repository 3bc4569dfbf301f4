import { serve } from '@hono/node-server';
import { startBilling } from '@wagate/billing';
import { type Database, openPostgres } from '@wagate/db';
import { createIdGenerator } from '@wagate/ids';
import { type GrpcServer, startLoopbackGrpcServer } from '@wagate/rpc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectPeers, createApiApp } from '../src/index.js';
import {
  asKey,
  childWithKey,
  expectLedgerBalanced,
  type KeyClient,
  moveDevicesToSender,
} from './support/accounts.js';
import { SLOW, startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * No overspend under concurrency: many concurrent batches, from several keys of one account,
 * through two api replicas backed by two billing replicas on one PostgreSQL database, against
 * a balance that pays for exactly N messages.
 */

const PRICE = 100;
const FUNDED_MESSAGES = 40;
const BATCHES = 50;
const PER_BATCH = 2;

let t: TestGateway;
let secondBilling: { grpc: GrpcServer; stop(): Promise<void>; database: Database };
let secondApi: { url: string; close(): Promise<void> };
let customer: { id: string; client: KeyClient };

beforeAll(async () => {
  t = await startTestGateway();
  const platform = asKey(t, await t.platformKey());
  customer = await childWithKey(platform, t, { name: 'Busy shop', kind: 'customer' });
  await platform.put(`/v1/accounts/${customer.id}/prices`, {
    prices: [{ country: '*', kind: 'text', priceMinor: PRICE }],
  });
  await platform.post(`/v1/accounts/${customer.id}/credit`, { amountMinor: PRICE * FUNDED_MESSAGES });
  await moveDevicesToSender(t, customer.id, 'Busy');

  // A second billing replica: its own process state and connection pool on the same database.
  const database = openPostgres(t.databaseUrl);
  const billing = await startBilling({ database, bus: t.gateway.bus });
  const grpc = await startLoopbackGrpcServer('internal', [billing.grpc], t.gateway.internalPlaneFor('billing'));
  secondBilling = { grpc, database, stop: billing.stop };
  // A second api replica that reserves through it.
  const app = createApiApp({
    peers: connectPeers({ ...t.gateway.grpcAddresses, billing: grpc.address }, t.gateway.internalPlaneFor('api')),
    ids: createIdGenerator(1),
    database,
    outboundUrls: { callbacks: { allowLoopback: true } },
  });
  secondApi = await new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}, SLOW);

afterAll(async () => {
  await secondApi?.close();
  await secondBilling?.grpc.shutdown();
  await secondBilling?.stop();
  await secondBilling?.database.close();
  await t?.stop();
}, SLOW);

test(
  `${BATCHES} concurrent batches through two api and two billing replicas: exactly the ${FUNDED_MESSAGES} funded messages are accepted`,
  async () => {
    const keys = await Promise.all(
      [1, 2, 3, 4, 5].map(async (n) => {
        const created = await customer.client.post(`/v1/accounts/${customer.id}/keys`, {
          name: `worker ${n}`,
          scopes: ['send'],
        });
        return created.body.key as string;
      }),
    );
    // Each message its own text: identical ones would fail as duplicates (2009) and be released.
    const message = (n: number) => ({ from: 'Busy', to: '79034567890', text: `Flash sale, coupon ${n}` });
    const answers = await Promise.all(
      Array.from({ length: BATCHES }, async (_, i) => {
        const base = i % 2 === 0 ? t.url : secondApi.url;
        const response = await fetch(`${base}/whatsapp/messages`, {
          method: 'POST',
          headers: { authorization: `Key ${keys[i % keys.length]}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            messages: Array.from({ length: PER_BATCH }, (_, j) => message(i * PER_BATCH + j)),
          }),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as {
          result: Array<{ code: string; reasons?: Array<{ key: string }> }>;
        };
      }),
    );
    const results = answers.flatMap((answer) => answer.result);
    expect(results.filter((result) => result.code === 'OK')).toHaveLength(FUNDED_MESSAGES);
    const rejected = results.filter((result) => result.code === 'REJECTED');
    expect(rejected).toHaveLength(BATCHES * PER_BATCH - FUNDED_MESSAGES);
    expect(new Set(rejected.map((result) => result.reasons?.[0]?.key))).toEqual(new Set(['billing.error']));

    const account = (await customer.client.get(`/v1/accounts/${customer.id}`)).body;
    // Whatever has been sent by now is paid and the rest is held: nothing is left, nothing overspent.
    expect(account.balanceMinor - account.reservedMinor).toBe(0);
    await expectLedgerBalanced(t);
  },
  SLOW,
);
