import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openPostgres, withSchema } from '@wagate/db';
import { freshPostgresUrl } from '@wagate/db/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BillingTables } from '../src/db/tables.js';
import { hashApiKey } from '../src/keys/api-keys.js';
import { authenticateKey } from '../src/keys/key-service.js';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'wagate.mjs');

let database: Awaited<ReturnType<typeof freshPostgresUrl>>;
beforeAll(async () => {
  database = await freshPostgresUrl();
});
afterAll(async () => {
  await database?.drop();
});

test('`wagate bootstrap` makes the platform admin and a first reseller on a fresh database, once', async () => {
  const { stdout } = await run(process.execPath, [
    bin,
    'bootstrap',
    '--reseller-name',
    'Acme Resale',
    '--database-url',
    database.url,
  ]);
  const platformKey = /platform admin key: (wag_\S+)/.exec(stdout)?.[1];
  const resellerKey = /reseller key: (wag_\S+)/.exec(stdout)?.[1];
  const resellerId = /reseller account: (acc_\w+) \(Acme Resale\)/.exec(stdout)?.[1];
  expect(platformKey).toBeDefined();
  expect(resellerKey).toBeDefined();

  const handle = openPostgres(database.url);
  try {
    const db = withSchema<BillingTables>(handle, 'billing');
    const platform = await authenticateKey(db, { keyHash: hashApiKey(platformKey!) });
    expect(platform).toMatchObject({
      valid: true,
      accountId: 'acc_platform',
      scopes: ['send', 'read', 'manage'],
    });
    const reseller = await authenticateKey(db, { keyHash: hashApiKey(resellerKey!) });
    expect(reseller).toMatchObject({ valid: true, accountId: resellerId });
    const account = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', resellerId!)
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({ kind: 'reseller', parent_id: 'acc_platform', name: 'Acme Resale' });
    // Only hashes are stored.
    const stored = await db.selectFrom('api_keys').select('key_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(platformKey);
  } finally {
    await handle.close();
  }

  const again = await run(process.execPath, [bin, 'bootstrap', '--database-url', database.url]).catch(
    (error) => error,
  );
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already bootstrapped/);
});

test('an unknown command prints the usage and exits 2', async () => {
  const failed = await run(process.execPath, [bin, 'frobnicate']).catch((error) => error);
  expect(failed.code).toBe(2);
  expect(failed.stderr).toMatch(/unknown command "frobnicate"/);
  expect(failed.stderr).toMatch(/wagate bootstrap/);
});
