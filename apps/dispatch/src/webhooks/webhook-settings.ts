import type { dispatch } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely, Selectable } from 'kysely';
import type { AccountSettingsTable, DispatchTables } from '../db/tables.js';

/** Same bound the api puts on a message's callbackUrl. */
const MAX_URL_LENGTH = 2048;

/** An account that never set anything reads as empty URLs, updated at 0. */
export async function getWebhookSettings(
  db: Kysely<DispatchTables>,
  request: dispatch.GetWebhookSettingsRequest,
): Promise<dispatch.GetWebhookSettingsResponse> {
  const row = await db
    .selectFrom('account_settings')
    .selectAll()
    .where('account_id', '=', request.accountId)
    .executeTakeFirst();
  return { settings: toSettings(request.accountId, row) };
}

/**
 * Replaces both URLs at once (an empty string clears one). They apply to statuses recorded
 * from now on, including those of messages accepted earlier.
 */
export async function setWebhookSettings(
  db: Kysely<DispatchTables>,
  request: dispatch.SetWebhookSettingsRequest,
): Promise<dispatch.SetWebhookSettingsResponse> {
  if (request.accountId === '') throw new DomainError(ErrorKey.Invalid, 'account_id is required');
  const values = {
    account_id: request.accountId,
    incoming_url: webhookUrl('incoming_url', request.incomingUrl),
    status_url: webhookUrl('status_url', request.statusUrl),
    updated_at: new Date(),
  };
  const row = await db
    .insertInto('account_settings')
    .values(values)
    .onConflict((conflict) =>
      conflict.column('account_id').doUpdateSet({
        incoming_url: values.incoming_url,
        status_url: values.status_url,
        updated_at: values.updated_at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { settings: toSettings(request.accountId, row) };
}

/** NULL for an empty string; otherwise the URL exactly as given, once it is an absolute http(s) URL. */
function webhookUrl(field: string, url: string): string | null {
  if (url === '') return null;
  if (url.length > MAX_URL_LENGTH) {
    throw new DomainError(ErrorKey.Invalid, `${field} must be at most ${MAX_URL_LENGTH} characters`);
  }
  if (!isAbsoluteHttpUrl(url)) {
    throw new DomainError(
      ErrorKey.Invalid,
      `${field} must be an absolute http:// or https:// URL (e.g. https://example.com/hooks), or empty to clear it`,
    );
  }
  return url;
}

function isAbsoluteHttpUrl(url: string): boolean {
  // The URL parser forgives surrounding whitespace; a stored URL must be exactly what is POSTed to.
  if (url.trim() !== url) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

function toSettings(
  accountId: string,
  row: Selectable<AccountSettingsTable> | undefined,
): dispatch.WebhookSettings {
  return {
    accountId,
    incomingUrl: row?.incoming_url ?? '',
    statusUrl: row?.status_url ?? '',
    updatedAtMs: String(row?.updated_at.getTime() ?? 0),
  };
}
