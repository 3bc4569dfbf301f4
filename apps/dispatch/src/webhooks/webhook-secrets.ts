import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { generateWebhookSecret } from './signature.js';

/** How long a rotated-out secret keeps signing, so receivers can switch without losing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/**
 * The secrets that sign an account's deliveries now: the current one first, then any
 * rotated-out ones still in their overlap. An account's first delivery creates its secret.
 */
export async function signingSecrets(db: Kysely<DispatchTables>, accountId: string): Promise<string[]> {
  const live = await liveSecrets(db, accountId);
  if (live.length > 0) return live;
  await db
    .insertInto('webhook_secrets')
    .values({ account_id: accountId, secret: generateWebhookSecret(), expires_at: null })
    // Two replicas may create it at once; the partial unique index keeps one.
    .onConflict((conflict) => conflict.column('account_id').where('expires_at', 'is', null).doNothing())
    .execute();
  return liveSecrets(db, accountId);
}

/** The account's current secret, created if it has none (what a receiver configures). */
export async function currentWebhookSecret(db: Kysely<DispatchTables>, accountId: string): Promise<string> {
  const [current] = await signingSecrets(db, accountId);
  if (!current) throw new Error(`no webhook secret for ${accountId}`);
  return current;
}

/**
 * Replaces the account's current secret with a new one; the old one keeps signing (both
 * signatures are sent) for `overlapMs`. Returns the new secret.
 */
export async function rotateWebhookSecret(
  db: Kysely<DispatchTables>,
  accountId: string,
  overlapMs: number = ROTATION_OVERLAP_MS,
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_secrets')
      .set({ expires_at: sql<Date>`now() + ${`${overlapMs} milliseconds`}::interval` })
      .where('account_id', '=', accountId)
      .where('expires_at', 'is', null)
      .execute();
    const secret = generateWebhookSecret();
    await trx
      .insertInto('webhook_secrets')
      .values({ account_id: accountId, secret, expires_at: null })
      .execute();
    return secret;
  });
}

async function liveSecrets(db: Kysely<DispatchTables>, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_secrets')
    .select('secret')
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    // The current secret (NULL expiry) first, then the newest rotated-out ones.
    .orderBy(sql`expires_at is null`, 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => row.secret);
}

/** When the latest rotated-out secret stops signing, if one still does. */
export async function previousSecretExpiry(db: Kysely<DispatchTables>, accountId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom('webhook_secrets')
    .select((eb) => eb.fn.max('expires_at').as('expires_at'))
    .where('account_id', '=', accountId)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.expires_at ? new Date(row.expires_at) : undefined;
}
