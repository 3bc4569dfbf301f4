import { type Database, openDatabase } from '@wagate/db';
import { createIdGenerator } from '@wagate/ids';
import { closeGrpcChannels, freePort, PLAINTEXT_LOOPBACK } from '@wagate/rpc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApiApp } from '../src/app.js';
import { connectPeers } from '../src/peers.js';

let database: Database;
beforeAll(async () => {
  database = await openDatabase('pglite://memory');
}, 120_000);
afterAll(async () => {
  closeGrpcChannels();
  await database?.close();
});

test('a send while billing is down answers 503 with Retry-After in the contract shape, not 500', async () => {
  const nobody = `127.0.0.1:${await freePort()}`;
  const app = createApiApp({
    peers: connectPeers({ billing: nobody, templates: nobody, dispatch: nobody, fleet: nobody }, PLAINTEXT_LOOPBACK),
    ids: createIdGenerator(0),
    database,
  });
  const response = await app.request('/whatsapp/messages', {
    method: 'POST',
    headers: { authorization: 'Key wag_some_key_0123456789', 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ from: 'MyCompany', to: '79034567890', text: 'hi' }] }),
  });
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(await response.json()).toEqual({
    code: 'REJECTED',
    reasons: [{ key: 'service.unavailable' }],
    description: expect.stringContaining('retry'),
  });
}, 60_000);
