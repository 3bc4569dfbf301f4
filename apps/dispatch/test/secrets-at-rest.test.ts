import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from '@wagate/config';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters, startCallbackReceiver, startServiceProcess } from '@wagate/testkit';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { startCallbackWorker } from '../src/webhooks/callback-worker.js';
import { queueCallbacks } from '../src/webhooks/queue-callbacks.js';
import {
  embeddedSecretKeys,
  generateSecretKeys,
  parseSecretKeys,
  readSecretKeys,
  secretKeyVariables,
  SecretKeyError,
} from '../src/webhooks/secret-keys.js';
import { verifyWebhook } from '../src/webhooks/signature.js';
import { sealWebhookSecretsAtRest, webhookSecrets } from '../src/webhooks/webhook-secrets.js';

/** The key ring of a dispatch process started with `env`. */
const keysFrom = (env: Record<string, string>) => readSecretKeys(readConfig(secretKeyVariables, env));

/**
 * Webhook signing secrets are stored sealed (envelope encryption under WAGATE_SECRET_KEYS):
 * the database never holds one in clear, a key rotation keeps every signature verifying, and
 * a missing or wrong key stops dispatch with an error naming it.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const first = generateSecretKeys('k1');
const second = generateSecretKeys('k2');
const ring = (...entries: string[]) => parseSecretKeys(entries.join(','));

/** Every row of webhook_secrets as the text PostgreSQL would dump. */
async function dump(db: Kysely<DispatchTables>): Promise<string> {
  const { rows } = await sql<{
    row: string;
  }>`select t::text as row from ${sql.table(`${DISPATCH_SCHEMA}.webhook_secrets`)} t`.execute(db);
  return rows.map((r) => r.row).join('\n');
}

/** A secret in every form someone reading the table could recognise it. */
function expectNotIn(text: string, secret: string) {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(secret.slice('whsec_'.length));
  expect(text).not.toContain(Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex'));
}

describe.each(databaseAdapters())('webhook secrets at rest on $name', (adapter) => {
  async function setup(migrations = dispatchMigrations) {
    const database: Database = await adapter.open();
    cleanups.push(() => database.close());
    await migrateSchema(database, DISPATCH_SCHEMA, migrations);
    return { database, db: withSchema<DispatchTables>(database, DISPATCH_SCHEMA) };
  }

  test('the database holds no secret in clear, current or rotated out', async () => {
    const { db } = await setup();
    const secrets = webhookSecrets(db, ring(first));
    const before = await secrets.current('acc_a');
    const after = await secrets.rotate('acc_a');
    const other = await secrets.current('acc_b');
    expect(await secrets.signing('acc_a')).toEqual([after, before]);

    const table = await dump(db);
    for (const secret of [before, after, other]) expectNotIn(table, secret);
    const rows = await db.selectFrom('webhook_secrets').selectAll().execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ plaintext_secret: null, key_id: 'k1' });
      expect(row.sealed_secret).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
  });

  test('after a key rotation and re-wrap, deliveries signed with the old secret still verify, without the old key', async () => {
    const { db } = await setup();
    const secret = await webhookSecrets(db, ring(first)).current('acc_rot');
    const ciphertextBefore = (
      await db.selectFrom('webhook_secrets').select('sealed_secret').executeTakeFirstOrThrow()
    ).sealed_secret;

    // The new key goes first; dispatch's start (or `npm run rewrap-secrets`) re-wraps every row.
    expect(await sealWebhookSecretsAtRest(db, ring(second, first))).toEqual({ sealed: 0, rewrapped: 1 });
    const row = await db.selectFrom('webhook_secrets').selectAll().executeTakeFirstOrThrow();
    expect(row.key_id).toBe('k2');
    // Only the data key was re-wrapped: the secret's own ciphertext is what it was.
    expect(row.sealed_secret).toBe(ciphertextBefore);

    // The old key is gone from the configuration, and the receiver still holds the same secret.
    const onlyNewKey = ring(second);
    const receiver = await startCallbackReceiver();
    cleanups.push(() => receiver.close());
    await queueCallbacks(db, [
      { accountId: 'acc_rot', messageId: '7001', url: `${receiver.url}/s`, body: '[{"x":1}]' },
    ]);
    const worker = startCallbackWorker(db, {
      pollMs: 50,
      allowLoopback: true,
      secrets: webhookSecrets(db, onlyNewKey),
    });
    cleanups.push(() => worker.stop());
    const [callback] = await receiver.waitFor(1, 30_000);
    expect(verifyWebhook(secret, callback!.headers, callback!.rawBody)).toBe(true);
  });

  test('rows written before sealing are sealed at start, with the same secret', async () => {
    const earlier = Object.fromEntries(
      Object.entries(dispatchMigrations).filter(([name]) => name < '2026-12-06T10:00_webhook_secrets_sealed'),
    );
    const { database } = await setup(earlier);
    const legacy = withSchema<any>(database, DISPATCH_SCHEMA);
    const plaintext = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    await legacy.insertInto('webhook_secrets').values({ account_id: 'acc_old', secret: plaintext }).execute();

    await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
    const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
    const keys = ring(first);
    expect(await sealWebhookSecretsAtRest(db, keys)).toEqual({ sealed: 1, rewrapped: 0 });
    expectNotIn(await dump(db), plaintext);
    expect(await webhookSecrets(db, keys).current('acc_old')).toBe(plaintext);
    // A second start finds nothing left to do.
    expect(await sealWebhookSecretsAtRest(db, keys)).toEqual({ sealed: 0, rewrapped: 0 });
  });

  test('a wrong key, a missing key or a row moved to another account fails loudly', async () => {
    const { db } = await setup();
    await webhookSecrets(db, ring(first)).current('acc_w');

    const impostor = ring(generateSecretKeys('k1'));
    await expect(sealWebhookSecretsAtRest(db, impostor)).rejects.toThrow(
      /key "k1" in WAGATE_SECRET_KEYS does not open the secrets sealed with it/,
    );
    await expect(webhookSecrets(db, impostor).signing('acc_w')).rejects.toBeInstanceOf(SecretKeyError);

    const withoutIt = ring(second);
    await expect(sealWebhookSecretsAtRest(db, withoutIt)).rejects.toThrow(
      /sealed with key "k1", which WAGATE_SECRET_KEYS does not hold/,
    );

    // The ciphertext is bound to its account: copied to another account it does not open.
    const row = await db.selectFrom('webhook_secrets').selectAll().executeTakeFirstOrThrow();
    await db
      .insertInto('webhook_secrets')
      .values({
        account_id: 'acc_thief',
        key_id: row.key_id,
        wrapped_key: row.wrapped_key,
        sealed_secret: row.sealed_secret,
        plaintext_secret: null,
        expires_at: null,
      })
      .execute();
    await expect(webhookSecrets(db, ring(first)).signing('acc_thief')).rejects.toThrow(/altered or moved/);
  });
});

describe('the keys', () => {
  test('production needs WAGATE_SECRET_KEYS unless the development setting is on', () => {
    expect(() => keysFrom({})).toThrow(ConfigError);
    expect(() => keysFrom({})).toThrow(/WAGATE_SECRET_KEYS is required/);
    expect(keysFrom({ WAGATE_INSECURE_PLAINTEXT_LOOPBACK: 'true' }).currentId).toBe(
      'insecure-development',
    );
    expect(keysFrom({ WAGATE_SECRET_KEYS: `${second},${first}` }).currentId).toBe('k2');
  });

  test.each([
    ['k1:c2hvcnQ=', /must be 32/],
    ['no-separator', /<id>:<base64 key>/],
    [`${first},${first}`, /given twice/],
    [' , ', /holds no key/],
  ])('%s is refused naming the variable', (value, message) => {
    expect(() => keysFrom({ WAGATE_SECRET_KEYS: value })).toThrow(message);
    expect(() => keysFrom({ WAGATE_SECRET_KEYS: value })).toThrow(/WAGATE_SECRET_KEYS/);
  });

  test('the embedded gateway keeps its key in the data directory, readable by its owner only', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wagate-keys-'));
    try {
      const made = embeddedSecretKeys(dataDir);
      expect(statSync(join(dataDir, 'secret-keys')).mode & 0o777).toBe(0o600);
      const again = embeddedSecretKeys(dataDir);
      expect(again.currentId).toBe(made.currentId);
      expect(again.keys.get(again.currentId)).toEqual(made.keys.get(made.currentId));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the dispatch process refuses to start without the key, naming the variable', async () => {
    const dispatch = startServiceProcess('dispatch', {
      DATABASE_URL: 'pglite://memory',
      NATS_URL: 'memory://',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      // TLS from the test PKI (the kit adds it), so only the missing key ring can stop it.
      WAGATE_SECRET_KEYS: '',
    });
    cleanups.push(async () => {
      await dispatch.stop();
    });
    await dispatch.waitForOutput(/WAGATE_SECRET_KEYS is required/, 60_000);
  }, 90_000);
});
