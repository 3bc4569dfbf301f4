import type { billing } from '@wagate/contracts';
import { type AccessChangedEvent, Topics } from '@wagate/contracts';
import { prefixedId } from '@wagate/ids';
import { enqueueEvents } from '@wagate/outbox';
import { DomainError, ErrorKey } from '@wagate/errors';
import { type Kysely, sql } from 'kysely';
import { visibleAccount } from '../accounts/tree.js';
import type { ApiKeyRow, BillingTables } from '../db/tables.js';
import { chainIds } from '../accounts/tree.js';
import { generateApiKey, hashApiKey, keyPrefix, keyScopes } from './api-keys.js';

/** How often a key's last-used time is written: a busy key costs one write a minute, not one per request. */
const LAST_USED_RESOLUTION = sql`interval '1 minute'`;

export function keyView(row: ApiKeyRow): billing.ApiKey {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAtMs: String(row.created_at.getTime()),
    expiresAtMs: row.expires_at ? String(row.expires_at.getTime()) : undefined,
    lastUsedAtMs: row.last_used_at ? String(row.last_used_at.getTime()) : undefined,
    revokedAtMs: row.revoked_at ? String(row.revoked_at.getTime()) : undefined,
  };
}

/**
 * Resolves a key hash to its account. A revoked, expired or unknown key is invalid; a key of
 * an account that is suspended (or under a suspended or closed ancestor) is known but refused.
 */
export async function authenticateKey(
  db: Kysely<BillingTables>,
  request: billing.AuthenticateKeyRequest,
): Promise<billing.AuthenticateKeyResponse> {
  const invalid = { valid: false, accountId: '', keyId: '', scopes: [], refusal: '' };
  const key = await db
    .selectFrom('api_keys')
    .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
    .select(['api_keys.id', 'api_keys.account_id', 'api_keys.scopes', 'api_keys.expires_at', 'accounts.path'])
    .where('api_keys.key_hash', '=', request.keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', new Date())]))
    .executeTakeFirst();
  if (!key) return invalid;
  const blocked = await db
    .selectFrom('accounts')
    .select(['status'])
    .where('id', 'in', chainIds(key.path))
    .where('status', '!=', 'active')
    .execute();
  if (blocked.some((account) => account.status === 'closed')) return invalid;
  if (blocked.length > 0) return { ...invalid, refusal: 'suspended' };
  await db
    .updateTable('api_keys')
    .set({ last_used_at: new Date() })
    .where('id', '=', key.id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - ${LAST_USED_RESOLUTION}`),
      ]),
    )
    .execute();
  return {
    valid: true,
    accountId: key.account_id,
    keyId: key.id,
    scopes: key.scopes,
    refusal: '',
    expiresAtMs: key.expires_at ? String(key.expires_at.getTime()) : undefined,
  };
}

export async function createKey(
  db: Kysely<BillingTables>,
  request: Pick<billing.CreateKeyRequest, 'actorAccountId' | 'accountId' | 'name' | 'scopes' | 'expiresAtMs'>,
): Promise<billing.CreateKeyResponse> {
  const { account } = await visibleAccount(db, request.actorAccountId, request.accountId);
  if (account.status === 'closed') throw new DomainError(ErrorKey.Conflict, 'the account is closed');
  const scopes = [...new Set(request.scopes)];
  const unknown = scopes.filter((scope) => !(keyScopes as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new DomainError(ErrorKey.Invalid, `scopes must be some of ${keyScopes.join(', ')}`);
  }
  const expiresAt = request.expiresAtMs === undefined ? null : new Date(Number(request.expiresAtMs));
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new DomainError(ErrorKey.Invalid, 'expiresAt must be in the future');
  }
  const secret = generateApiKey();
  const row = await db
    .insertInto('api_keys')
    .values({
      id: prefixedId('apiKey'),
      account_id: account.id,
      name: request.name,
      key_hash: hashApiKey(secret),
      prefix: keyPrefix(secret),
      scopes: sql`${sql.val(scopes)}::text[]` as never,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key: keyView(row), secret };
}

export async function listKeys(
  db: Kysely<BillingTables>,
  request: billing.ListKeysRequest,
): Promise<billing.ListKeysResponse> {
  const { account } = await visibleAccount(db, request.actorAccountId, request.accountId);
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', account.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return { keys: rows.map(keyView) };
}

async function keyOf(db: Kysely<BillingTables>, request: billing.RevokeKeyRequest): Promise<ApiKeyRow> {
  const { account } = await visibleAccount(db, request.actorAccountId, request.accountId);
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', request.keyId)
    .where('account_id', '=', account.id)
    .executeTakeFirst();
  if (!row) throw new DomainError(ErrorKey.NotFound, `no key "${request.keyId}" in account "${account.id}"`);
  return row;
}

/** A new key with the old one's name and scopes; both work until the old one is revoked. */
export async function rotateKey(
  db: Kysely<BillingTables>,
  request: billing.RotateKeyRequest,
): Promise<billing.RotateKeyResponse> {
  const old = await keyOf(db, request);
  if (old.revoked_at) throw new DomainError(ErrorKey.Conflict, 'a revoked key cannot be rotated');
  return createKey(db, {
    actorAccountId: request.actorAccountId,
    accountId: old.account_id,
    name: old.name,
    scopes: old.scopes,
    expiresAtMs: undefined,
  });
}

/**
 * Revokes a key and announces it in the same transaction (outbox), so every api replica drops
 * it from its cache within a relay pass. Revoking twice keeps the first revocation time.
 */
export async function revokeKey(
  db: Kysely<BillingTables>,
  request: billing.RevokeKeyRequest,
  onCommitted: () => void,
): Promise<billing.RevokeKeyResponse> {
  const old = await keyOf(db, request);
  if (old.revoked_at) return { key: keyView(old) };
  const row = await db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', old.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await enqueueRevocations(trx, [revoked]);
    return revoked;
  });
  onCommitted();
  return { key: keyView(row) };
}

/** Announces keys that stopped working, in the caller's transaction. */
export async function enqueueRevocations(
  trx: Kysely<BillingTables>,
  keys: ReadonlyArray<Pick<ApiKeyRow, 'id' | 'account_id' | 'key_hash'>>,
): Promise<void> {
  await enqueueEvents(
    trx,
    keys.map((key) => ({
      topic: Topics.accessChanged,
      id: `key-revoked:${key.id}`,
      key: key.account_id,
      data: {
        accountId: key.account_id,
        keyHash: key.key_hash,
        reason: 'key.revoked',
      } satisfies AccessChangedEvent,
    })),
  );
}
