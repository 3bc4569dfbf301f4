import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { LookupAll } from '@wagate/config';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { type CallbackWorker, type CallbackWorkerOptions, startCallbackWorker } from '../src/webhooks/callback-worker.js';
import { listFailedCallbacks, replayCallback } from '../src/webhooks/failed-callbacks.js';
import { verifyWebhook } from '../src/webhooks/signature.js';
import { generateSecretKeys, parseSecretKeys } from '../src/webhooks/secret-keys.js';
import { webhookSecrets } from '../src/webhooks/webhook-secrets.js';
import { pendingCallbackRow } from './support/message-rows.js';

const keys = parseSecretKeys(generateSecretKeys('test'));
const secretsOf = (db: Kysely<DispatchTables>) => webhookSecrets(db, keys);

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback endpoint whose answer the test decides per request (or never gives). */
async function endpoint(answer: (hit: Hit, response: ServerResponse) => void) {
  const hits: Hit[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hit = {
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      answer(hit, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(databaseAdapters())('callback worker on $name', (adapter) => {
  async function setup(): Promise<Kysely<DispatchTables>> {
    const database: Database = await adapter.open();
    cleanups.push(() => database.close());
    await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
    return withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
  }

  let nextMessageId = 1000;
  async function queue(db: Kysely<DispatchTables>, accountId: string, url: string, status = 'SENT') {
    const messageId = String(nextMessageId++);
    const row = await db
      .insertInto('callbacks')
      .values(pendingCallbackRow({ accountId, messageId, url, status }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  function worker(
    db: Kysely<DispatchTables>,
    options: Omit<CallbackWorkerOptions, 'secrets'>,
  ): CallbackWorker {
    const started = startCallbackWorker(db, { pollMs: 50, secrets: secretsOf(db), ...options });
    cleanups.push(() => started.stop());
    return started;
  }

  const stateOf = async (db: Kysely<DispatchTables>, id: string) =>
    db
      .selectFrom('callbacks')
      .select(['state', 'attempts', 'last_error', 'next_attempt_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  test('signs every delivery with the account secret, with the same webhook-id on each retry', async () => {
    const db = await setup();
    let calls = 0;
    const receiver = await endpoint((_hit, response) => {
      calls++;
      // First a transient failure that asks for an immediate retry.
      if (calls === 1) response.writeHead(503, { 'retry-after': '0' }).end();
      else response.writeHead(204).end();
    });
    cleanups.push(receiver.close);
    const id = await queue(db, 'acc_a', `${receiver.url}/hook`);
    worker(db, { allowLoopback: true });
    await expect.poll(async () => (await stateOf(db, id)).state, { timeout: 15_000 }).toBe('delivered');
    expect(receiver.hits).toHaveLength(2);
    const secret = await secretsOf(db).current('acc_a');
    for (const hit of receiver.hits) {
      expect(hit.headers['webhook-id']).toBe(`cb_${id}`);
      expect(hit.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(verifyWebhook(secret, hit.headers, hit.body)).toBe(true);
      expect(verifyWebhook(secret, hit.headers, `${hit.body} `)).toBe(false);
    }
  });

  test('during a rotation deliveries carry signatures by the new and the previous secret', async () => {
    const db = await setup();
    const receiver = await endpoint((_hit, response) => response.writeHead(200).end());
    cleanups.push(receiver.close);
    const previous = await secretsOf(db).current('acc_r');
    const next = await secretsOf(db).rotate('acc_r');
    expect(await secretsOf(db).current('acc_r')).toBe(next);
    const id = await queue(db, 'acc_r', receiver.url);
    worker(db, { allowLoopback: true });
    await expect.poll(async () => (await stateOf(db, id)).state, { timeout: 15_000 }).toBe('delivered');
    const [hit] = receiver.hits;
    expect(verifyWebhook(next, hit!.headers, hit!.body)).toBe(true);
    expect(verifyWebhook(previous, hit!.headers, hit!.body)).toBe(true);
  });

  test('a 4xx answer other than 429 fails the callback without a retry', async () => {
    const db = await setup();
    const receiver = await endpoint((_hit, response) => response.writeHead(410).end());
    cleanups.push(receiver.close);
    const id = await queue(db, 'acc_a', receiver.url);
    const callbacks = worker(db, { allowLoopback: true });
    await expect.poll(async () => (await stateOf(db, id)).state, { timeout: 15_000 }).toBe('failed');
    await callbacks.flush();
    expect(receiver.hits).toHaveLength(1);
    expect((await stateOf(db, id)).last_error).toBe('HTTP 410');
  });

  test('a failed callback is listed and, replayed, delivered with the same webhook-id', async () => {
    const db = await setup();
    let refuse = true;
    const receiver = await endpoint((_hit, response) => response.writeHead(refuse ? 404 : 204).end());
    cleanups.push(receiver.close);
    const id = await queue(db, 'acc_f', `${receiver.url}/gone`);
    await queue(db, 'acc_other', `${receiver.url}/gone`);
    const callbacks = worker(db, { allowLoopback: true });
    await expect.poll(async () => (await stateOf(db, id)).state, { timeout: 15_000 }).toBe('failed');
    const listed = await listFailedCallbacks(db, { accountId: 'acc_f', limit: 0, cursor: '' });
    expect(listed.callbacks).toEqual([
      expect.objectContaining({ webhookId: `cb_${id}`, state: 'failed', attempts: 1, lastError: 'HTTP 404' }),
    ]);
    await expect(replayCallback(db, { accountId: 'acc_other', webhookId: `cb_${id}` })).rejects.toThrow(
      /no failed callback/,
    );
    refuse = false;
    await replayCallback(db, { accountId: 'acc_f', webhookId: `cb_${id}` });
    callbacks.kick();
    await expect.poll(async () => (await stateOf(db, id)).state, { timeout: 15_000 }).toBe('delivered');
    const hits = receiver.hits.filter((hit) => hit.headers['webhook-id'] === `cb_${id}`);
    expect(hits).toHaveLength(2);
    expect(hits[1]!.body).toBe(hits[0]!.body);
    expect((await listFailedCallbacks(db, { accountId: 'acc_f', limit: 0, cursor: '' })).callbacks).toEqual(
      [],
    );
    await expect(replayCallback(db, { accountId: 'acc_f', webhookId: `cb_${id}` })).rejects.toThrow(
      /no failed callback/,
    );
  });

  test('a 429 is retried after its Retry-After', async () => {
    const db = await setup();
    const receiver = await endpoint((_hit, response) =>
      response.writeHead(429, { 'retry-after': '120' }).end(),
    );
    cleanups.push(receiver.close);
    const id = await queue(db, 'acc_a', receiver.url);
    const before = Date.now();
    worker(db, { allowLoopback: true });
    await expect.poll(async () => (await stateOf(db, id)).last_error, { timeout: 15_000 }).toBe('HTTP 429');
    const row = await stateOf(db, id);
    expect(row.state).toBe('pending');
    expect(row.next_attempt_at.getTime()).toBeGreaterThanOrEqual(before + 119_000);
  });

  test('refuses to call a host that resolves to loopback unless loopback is allowed', async () => {
    const db = await setup();
    const receiver = await endpoint((_hit, response) => response.writeHead(204).end());
    cleanups.push(receiver.close);
    // No network in tests: the resolver is injected, as a rebinding attacker's DNS would answer.
    const lookup: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];
    const refused = await queue(db, 'acc_a', `http://hooks.attacker.example:${receiver.port}/x`);
    const literal = await queue(db, 'acc_a', `http://[::ffff:127.0.0.1]:${receiver.port}/x`);
    const callbacks = worker(db, { lookup });
    await expect.poll(async () => (await stateOf(db, refused)).state, { timeout: 15_000 }).toBe('failed');
    await expect.poll(async () => (await stateOf(db, literal)).state, { timeout: 15_000 }).toBe('failed');
    expect((await stateOf(db, refused)).last_error).toMatch(
      /refused: hooks\.attacker\.example resolves to 127\.0\.0\.1/,
    );
    await callbacks.stop();
    expect(receiver.hits).toHaveLength(0);

    // Allowed, the POST goes to the checked address with the host name kept in Host.
    const allowed = await queue(db, 'acc_a', `http://hooks.attacker.example:${receiver.port}/y`);
    worker(db, { lookup, allowLoopback: true });
    await expect.poll(async () => (await stateOf(db, allowed)).state, { timeout: 15_000 }).toBe('delivered');
    expect(receiver.hits[0]!.headers.host).toBe(`hooks.attacker.example:${receiver.port}`);
  });

  test("one tenant's hanging endpoint does not hold up another tenant's callbacks", async () => {
    const db = await setup();
    const hanging = await endpoint(() => {
      // Never answers.
    });
    cleanups.push(hanging.close);
    const healthy = await endpoint((_hit, response) => response.writeHead(204).end());
    cleanups.push(healthy.close);
    // Tenant A's backlog is older than B's, and larger than the worker's whole concurrency.
    for (let i = 0; i < 20; i++) await queue(db, 'acc_a', `${hanging.url}/a`);
    const bIds: string[] = [];
    for (let i = 0; i < 5; i++) bIds.push(await queue(db, 'acc_b', `${healthy.url}/b`));
    worker(db, { allowLoopback: true, attemptTimeoutMs: 60_000, perOriginLimit: 4, maxInFlight: 8 });
    await expect.poll(() => healthy.hits.length, { timeout: 15_000 }).toBe(5);
    // A's POSTs are all still open: B did not wait for them.
    expect(hanging.hits.length).toBe(4);
    const aStates = await db
      .selectFrom('callbacks')
      .select('state')
      .where('account_id', '=', 'acc_a')
      .execute();
    expect(aStates.every((row) => row.state === 'pending')).toBe(true);
  });
});
