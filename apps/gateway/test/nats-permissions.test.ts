import { readConfig } from '@wagate/config';
import { randomBytes } from 'node:crypto';
import { type Bus, createJetStreamBus, natsConnectionSettings, natsConnectionVariables } from '@wagate/bus';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type CallbackReceiver,
  startCallbackReceiver,
  startDeployedNatsServer,
  type TestNatsServer,
} from '@wagate/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmbeddedGateway } from '../src/embedded-gateway.js';
import { runSendScenario } from './send-scenario.js';
import { startGatewayOnPostgres } from './support/embedded.js';

/**
 * deploy/nats/nats-server.conf, run by the machine's nats-server: every service connects as
 * its own user and does its real work on the bus (the gateway's services, each on its own
 * connection), and a service that reaches outside its permissions is refused by the server.
 */

type Service = 'api' | 'billing' | 'templates' | 'dispatch' | 'fleet';
const SERVICES: Service[] = ['api', 'billing', 'templates', 'dispatch', 'fleet'];
const passwords = Object.fromEntries(SERVICES.map((s) => [s, randomBytes(12).toString('hex')])) as Record<
  Service,
  string
>;
const SLOW = 180_000;

let nats: TestNatsServer;
let gateway: EmbeddedGateway;
let receiver: CallbackReceiver;
const opened: Array<{ close(): Promise<void> }> = [];

/** A service's connection exactly as its process makes one: NATS_USER / NATS_PASSWORD through the bus's parser. */
function connectionOf(service: Service) {
  return natsConnectionSettings(
    readConfig(natsConnectionVariables, { NATS_USER: service, NATS_PASSWORD: passwords[service] }),
  );
}
async function busAs(service: Service): Promise<Bus> {
  const bus = await createJetStreamBus({ servers: nats.url, connection: connectionOf(service) });
  opened.push(bus);
  return bus;
}
async function rawAs(service: Service): Promise<NatsConnection> {
  const nc = await connect({ servers: nats.url, ...connectionOf(service) });
  opened.push({ close: () => nc.close() });
  return nc;
}

beforeAll(async () => {
  nats = await startDeployedNatsServer(
    Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_PASSWORD`, passwords[s]])),
  );
  receiver = await startCallbackReceiver();
  gateway = await startGatewayOnPostgres({ simDevices: 1, busFor: busAs });
}, SLOW);
afterAll(async () => {
  await gateway?.stop();
  for (const connection of opened.reverse()) await connection.close().catch(() => {});
  await receiver?.close();
  await nats?.stop();
}, SLOW);

/** How many messages the stream holds per subject (read as api, which may look at the stream). */
async function subjectCounts(): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(await rawAs('api'));
  const info = await jsm.streams.info('WAGATE', { subjects_filter: '>' });
  return (info.state.subjects ?? {}) as Record<string, number>;
}

describe('each service works as its own user', () => {
  test(
    'a message is accepted, handed to a device, and its statuses reach dispatch and billing',
    async () => {
      await runSendScenario({ baseUrl: gateway.url, apiKey: gateway.apiKey, receiver });
      const counts = await subjectCounts();
      expect(counts['wagate.message.accepted']).toBeGreaterThanOrEqual(1);
      expect(counts['wagate.message.status']).toBeGreaterThanOrEqual(3);
      // Each consumer, read by its own service's user, took its events and acknowledged them all.
      for (const [service, durable, least] of [
        ['fleet', 'fleet__message_accepted__943662ee', 1],
        ['dispatch', 'dispatch__message_status__400edf97', 3],
        ['billing', 'billing__message_status__52ed70ca', 3],
      ] as const) {
        const jsm = await jetstreamManager(await rawAs(service));
        await expect
          .poll(
            async () => {
              const info = await jsm.consumers.info('WAGATE', durable);
              return info.num_ack_pending === 0 && info.delivered.consumer_seq >= least;
            },
            { timeout: 30_000 },
          )
          .toBe(true);
      }
    },
    SLOW,
  );

  test(
    'an inbound message reaches dispatch through the bus',
    async () => {
      const callbacks = receiver.received.length;
      const put = await fetch(`${gateway.url}/v1/webhooks/incoming`, {
        method: 'PUT',
        headers: { authorization: `Key ${gateway.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ incomingUrl: `${receiver.url}/incoming`, statusUrl: null }),
      });
      expect(put.status).toBe(200);
      gateway.devices[0]!.inbound('79031112233', 'Hello over the bus', 'Ivan');
      await receiver.waitFor(callbacks + 1, 60_000);
      expect((await subjectCounts())['wagate.message.inbound']).toBeGreaterThanOrEqual(1);
    },
    SLOW,
  );

  test(
    "billing's access change reaches the api: a revoked key is refused",
    async () => {
      const request = (path: string, key: string, init: RequestInit = {}) =>
        fetch(`${gateway.url}${path}`, {
          ...init,
          headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
        });
      const created = (await (
        await request(`/v1/accounts/${gateway.accountId}/keys`, gateway.apiKey, {
          method: 'POST',
          body: JSON.stringify({ name: 'short-lived', scopes: ['read'] }),
        })
      ).json()) as { key: string; id: string };
      expect((await request('/v1/balance', created.key)).status).toBe(200);
      const revoked = await request(`/v1/accounts/${gateway.accountId}/keys/${created.id}`, gateway.apiKey, {
        method: 'DELETE',
      });
      expect(revoked.status).toBeLessThan(300);
      // The api's cache would serve the key for 30 s more; billing's event drops it at once.
      await expect
        .poll(async () => (await request('/v1/balance', created.key)).status, { timeout: 20_000 })
        .toBe(401);
      expect((await subjectCounts())['wagate.billing.access.changed']).toBeGreaterThanOrEqual(1);
    },
    SLOW,
  );

  test(
    'templates announces a change to its replicas',
    async () => {
      const created = await fetch(`${gateway.url}/v1/templates`, {
        method: 'POST',
        headers: { authorization: `Key ${gateway.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'bus_check',
          category: 'utility',
          languages: [{ languageCode: 'en', body: 'Hi {{1}}' }],
        }),
      });
      expect(created.status).toBe(201);
      await expect
        .poll(async () => (await subjectCounts())['wagate.template.changed'] ?? 0, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(1);
    },
    SLOW,
  );
});

describe('a service cannot reach outside its permissions', () => {
  test('the api cannot publish a message status, and nothing reaches the stream', async () => {
    const before = (await subjectCounts())['wagate.message.status'] ?? 0;
    const api = await busAs('api');
    await expect(
      api.publish({
        topic: 'message.status',
        id: 'forged-1',
        key: '1',
        data: { messageId: '1', status: 'READ' },
      }),
    ).rejects.toThrow(/permission/i);
    expect((await subjectCounts())['wagate.message.status'] ?? 0).toBe(before);
  });

  test('fleet cannot delete the stream, purge it or change it', async () => {
    const jsm = await jetstreamManager(await rawAs('fleet'));
    await expect(jsm.streams.delete('WAGATE')).rejects.toThrow(/permission/i);
    await expect(jsm.streams.purge('WAGATE')).rejects.toThrow(/permission/i);
    await expect(jsm.streams.update('WAGATE', { max_age: 1_000_000_000 })).rejects.toThrow(/permission/i);
    expect(Object.keys(await subjectCounts()).length).toBeGreaterThan(0);
  });

  test("billing cannot take over dispatch's consumer, or publish dispatch's events", async () => {
    const billing = await busAs('billing');
    await expect(
      billing.consume({ topic: 'message.status', group: 'dispatch', handler: async () => {} }),
    ).rejects.toThrow(/permission/i);
    await expect(
      billing.publish({ topic: 'message.accepted', id: 'forged-2', key: 'k', data: {} }),
    ).rejects.toThrow(/permission/i);
  });

  test("templates cannot read another service's replies", async () => {
    const nc = await rawAs('templates');
    const errors: string[] = [];
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'error') errors.push(String(status.error));
    })();
    nc.subscribe('_INBOX.dispatch.>');
    await nc.flush();
    await expect.poll(() => errors.join(' '), { timeout: 10_000 }).toMatch(/permission/i);
  });
});
