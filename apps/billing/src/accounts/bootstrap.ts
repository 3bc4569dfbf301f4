import { prefixedId } from '@wagate/ids';
import { type Kysely, sql } from 'kysely';
import type { AccountKind, BillingTables } from '../db/tables.js';
import { generateApiKey, hashApiKey, keyPrefix } from '../keys/api-keys.js';
import { EXTERNAL_ACCOUNT, lockAccounts, postTransaction } from '../ledger/ledger.js';
import { pathOfChild } from './tree.js';

export const PLATFORM_ACCOUNT_ID = 'acc_platform';
export const DEMO_ACCOUNT_ID = 'acc_demo';
/** What the demo account is given on first start: 10 000.00 in its currency. */
const DEMO_CREDIT_MINOR = 1_000_000n;

/** The root of the tree; made once, whoever asks first (the CLI, the embedded gateway). */
export async function ensurePlatform(db: Kysely<BillingTables>): Promise<string> {
  await db
    .insertInto('accounts')
    .values({
      id: PLATFORM_ACCOUNT_ID,
      name: 'Platform',
      parent_id: null,
      kind: 'platform',
      status: 'active',
      path: `/${PLATFORM_ACCOUNT_ID}/`,
      depth: 0,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  return PLATFORM_ACCOUNT_ID;
}

/** An account under a parent, with a fixed id; nothing happens when it exists. Returns true when made now. */
export async function ensureChildAccount(
  db: Kysely<BillingTables>,
  account: { id: string; name: string; parentId: string; kind: AccountKind },
): Promise<boolean> {
  const parent = await db
    .selectFrom('accounts')
    .select(['path', 'depth', 'currency'])
    .where('id', '=', account.parentId)
    .executeTakeFirstOrThrow();
  const inserted = await db
    .insertInto('accounts')
    .values({
      id: account.id,
      name: account.name,
      parent_id: account.parentId,
      kind: account.kind,
      status: 'active',
      path: pathOfChild(parent.path, account.id),
      depth: parent.depth + 1,
      currency: parent.currency,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Makes `key` a key of the account (idempotent by the key's hash). */
export async function ensureKey(
  db: Kysely<BillingTables>,
  accountId: string,
  key: string,
  name: string,
  scopes: string[] = ['send', 'read', 'manage'],
): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({
      id: prefixedId('apiKey'),
      account_id: accountId,
      name,
      key_hash: hashApiKey(key),
      prefix: keyPrefix(key),
      scopes: sql`${sql.val(scopes)}::text[]` as never,
      revoked_at: null,
    })
    .onConflict((conflict) => conflict.column('key_hash').doNothing())
    .execute();
}

/** Credit from outside, for the demo account's first start and the CLI. */
export async function grantCredit(
  db: Kysely<BillingTables>,
  accountId: string,
  amountMinor: bigint,
  memo: string,
) {
  await db.transaction().execute(async (trx) => {
    await lockAccounts(trx, [accountId]);
    await postTransaction(trx, {
      kind: 'transfer',
      memo,
      postings: [
        { accountId: EXTERNAL_ACCOUNT, amountMinor: -amountMinor },
        { accountId, amountMinor },
      ],
    });
  });
}

/**
 * The demo account under the platform, with `apiKey` as one of its keys and, on first start,
 * some credit so the demo can send (what it pays is whatever prices the platform set; none by
 * default).
 */
export async function ensureDemoAccount(
  db: Kysely<BillingTables>,
  apiKey: string,
): Promise<{ accountId: string }> {
  const parentId = await ensurePlatform(db);
  if (await ensureChildAccount(db, { id: DEMO_ACCOUNT_ID, name: 'Demo', parentId, kind: 'customer' })) {
    await grantCredit(db, DEMO_ACCOUNT_ID, DEMO_CREDIT_MINOR, 'demo credit');
  }
  await ensureKey(db, DEMO_ACCOUNT_ID, apiKey, 'demo');
  return { accountId: DEMO_ACCOUNT_ID };
}

/** A fresh platform admin key and a first reseller with its own key (the CLI's bootstrap). */
export async function bootstrapPlatform(
  db: Kysely<BillingTables>,
  reseller: { name: string },
): Promise<{
  platformAccountId: string;
  platformKey: string;
  resellerAccountId: string;
  resellerKey: string;
}> {
  const platformAccountId = await ensurePlatform(db);
  const platformKey = generateApiKey();
  await ensureKey(db, platformAccountId, platformKey, 'platform admin (bootstrap)');
  const resellerAccountId = prefixedId('account');
  await ensureChildAccount(db, {
    id: resellerAccountId,
    name: reseller.name,
    parentId: platformAccountId,
    kind: 'reseller',
  });
  const resellerKey = generateApiKey();
  await ensureKey(db, resellerAccountId, resellerKey, 'reseller admin (bootstrap)');
  return { platformAccountId, platformKey, resellerAccountId, resellerKey };
}
