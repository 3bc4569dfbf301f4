import { createLogger } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import {
  openSecret,
  rewrapSecret,
  type SealedSecret,
  type SecretKeyRing,
  sealSecret,
} from './secret-keys.js';
import { generateWebhookSecret } from './signature.js';

const log = createLogger('dispatch:webhook-secrets');

/** How long a rotated-out secret keeps signing, so receivers can switch without losing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/**
 * An account's Standard Webhooks secrets, sealed at rest with the key ring (secret-keys.ts):
 * the database holds only ciphertext, each row bound to its account (a row copied to another
 * account does not open).
 */
export interface WebhookSecrets {
  /**
   * The secrets that sign an account's deliveries now: the current one first, then any
   * rotated-out ones still in their overlap. An account's first delivery creates its secret.
   */
  signing(accountId: string): Promise<string[]>;
  /** The account's current secret, created if it has none (what a receiver configures). */
  current(accountId: string): Promise<string>;
  /**
   * Replaces the account's current secret with a new one; the old one keeps signing (both
   * signatures are sent) for `overlapMs`. Returns the new secret.
   */
  rotate(accountId: string, overlapMs?: number): Promise<string>;
  /** When the latest rotated-out secret stops signing, if one still does. */
  previousExpiry(accountId: string): Promise<Date | undefined>;
}

export function webhookSecrets(db: Kysely<DispatchTables>, keys: SecretKeyRing): WebhookSecrets {
  const sealedRow = (accountId: string, secret: string) => {
    const sealed = sealSecret(keys, secret, accountId);
    return {
      account_id: accountId,
      key_id: sealed.keyId,
      wrapped_key: sealed.wrappedKey,
      sealed_secret: sealed.ciphertext,
      plaintext_secret: null,
      expires_at: null,
    };
  };

  async function live(accountId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('webhook_secrets')
      .select(['key_id', 'wrapped_key', 'sealed_secret', 'plaintext_secret'])
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
      // The current secret (NULL expiry) first, then the newest rotated-out ones.
      .orderBy(sql`expires_at is null`, 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) => openRow(keys, row, accountId));
  }

  const secrets: WebhookSecrets = {
    async signing(accountId) {
      const found = await live(accountId);
      if (found.length > 0) return found;
      await db
        .insertInto('webhook_secrets')
        .values(sealedRow(accountId, generateWebhookSecret()))
        // Two replicas may create it at once; the partial unique index keeps one.
        .onConflict((conflict) => conflict.column('account_id').where('expires_at', 'is', null).doNothing())
        .execute();
      return live(accountId);
    },
    async current(accountId) {
      const [current] = await secrets.signing(accountId);
      if (!current) throw new Error(`no webhook secret for ${accountId}`);
      return current;
    },
    rotate(accountId, overlapMs = ROTATION_OVERLAP_MS) {
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('webhook_secrets')
          .set({ expires_at: sql<Date>`now() + ${`${overlapMs} milliseconds`}::interval` })
          .where('account_id', '=', accountId)
          .where('expires_at', 'is', null)
          .execute();
        const secret = generateWebhookSecret();
        await trx.insertInto('webhook_secrets').values(sealedRow(accountId, secret)).execute();
        return secret;
      });
    },
    async previousExpiry(accountId) {
      const row = await db
        .selectFrom('webhook_secrets')
        .select((eb) => eb.fn.max('expires_at').as('expires_at'))
        .where('account_id', '=', accountId)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      return row?.expires_at ? new Date(row.expires_at) : undefined;
    },
  };
  return secrets;
}

interface StoredSecret {
  key_id: string | null;
  wrapped_key: string | null;
  sealed_secret: string | null;
  plaintext_secret: string | null;
}

function sealedOf(row: StoredSecret): SealedSecret | undefined {
  if (row.key_id === null || row.wrapped_key === null || row.sealed_secret === null) return undefined;
  return { keyId: row.key_id, wrappedKey: row.wrapped_key, ciphertext: row.sealed_secret };
}

function openRow(keys: SecretKeyRing, row: StoredSecret, accountId: string): string {
  const sealed = sealedOf(row);
  if (sealed) return openSecret(keys, sealed, accountId);
  // Written before sealing and not sealed yet (another replica's start is sealing it now).
  if (row.plaintext_secret !== null) return row.plaintext_secret;
  throw new Error(`webhook secret row of ${accountId} holds neither a sealed nor a legacy secret`);
}

export interface SealingReport {
  /** Rows written before sealing, now encrypted and their plaintext emptied. */
  sealed: number;
  /** Rows under an older key, whose data key is now wrapped by the current one. */
  rewrapped: number;
}

/**
 * Run at every dispatch start (and by `npm run rewrap-secrets`): seals rows still in plaintext
 * (written before secrets were sealed), and re-wraps the data keys of rows under any key but
 * the current one, so a retired key can be removed once every replica has started with the new
 * ring. First it opens one row per key id: a configured key that is not the one a row was
 * sealed with stops the start with an error naming it, instead of failing every delivery later.
 * Each row is changed only if it is still as read, so replicas starting together are safe.
 */
export async function sealWebhookSecretsAtRest(
  db: Kysely<DispatchTables>,
  keys: SecretKeyRing,
  batch = 500,
): Promise<SealingReport> {
  const samples = await db
    .selectFrom('webhook_secrets')
    .distinctOn('key_id')
    .select(['account_id', 'key_id', 'wrapped_key', 'sealed_secret', 'plaintext_secret'])
    .where('key_id', 'is not', null)
    .orderBy('key_id')
    .execute();
  for (const sample of samples) openRow(keys, sample, sample.account_id);

  const report: SealingReport = { sealed: 0, rewrapped: 0 };
  let afterId = '0';
  for (;;) {
    const rows = await db
      .selectFrom('webhook_secrets')
      .select(['id', 'account_id', 'key_id', 'wrapped_key', 'sealed_secret', 'plaintext_secret'])
      .where('id', '>', afterId)
      .where((eb) => eb.or([eb('key_id', 'is', null), eb('key_id', '!=', keys.currentId)]))
      .orderBy('id')
      .limit(batch)
      .execute();
    for (const row of rows) {
      const sealed = sealedOf(row);
      if (sealed) {
        const next = rewrapSecret(keys, sealed);
        const result = await db
          .updateTable('webhook_secrets')
          .set({ key_id: next.keyId, wrapped_key: next.wrappedKey })
          .where('id', '=', row.id)
          .where('key_id', '=', sealed.keyId)
          .executeTakeFirst();
        report.rewrapped += Number(result.numUpdatedRows);
      } else if (row.plaintext_secret !== null) {
        const next = sealSecret(keys, row.plaintext_secret, row.account_id);
        const result = await db
          .updateTable('webhook_secrets')
          .set({
            key_id: next.keyId,
            wrapped_key: next.wrappedKey,
            sealed_secret: next.ciphertext,
            plaintext_secret: null,
          })
          .where('id', '=', row.id)
          .where('plaintext_secret', 'is not', null)
          .executeTakeFirst();
        report.sealed += Number(result.numUpdatedRows);
      }
    }
    if (rows.length < batch) break;
    afterId = rows.at(-1)!.id;
  }
  if (report.sealed + report.rewrapped > 0) log.info(report, 'webhook secrets sealed with the current key');
  return report;
}
