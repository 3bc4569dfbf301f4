import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { requireAccount } from '../require-account.js';
import { normaliseDomain, normaliseEntries, normaliseWord } from './entries.js';
import { type BlocklistMatcher, compileBlocklist } from './matcher.js';

/** An account's own blocklist: normalised words and domains. */
export interface Blocklist {
  accountId: string;
  words: string[];
  domains: string[];
  /** Null for an account that never set one. */
  updatedAt: Date | null;
}

/** The account's own list; an account that never set one has an empty list. */
export async function getBlocklist(
  db: Kysely<DispatchTables>,
  { accountId }: { accountId: string },
): Promise<Blocklist> {
  requireAccount(accountId);
  const row = await db
    .selectFrom('blocklists')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return {
    accountId,
    words: row?.words ?? [],
    domains: row?.domains ?? [],
    updatedAt: row?.updated_at ?? null,
  };
}

/** Replaces the account's own list with the normalised entries; an entry that is neither word nor domain fails it all. */
export async function setBlocklist(
  db: Kysely<DispatchTables>,
  request: { accountId: string; words: string[]; domains: string[] },
): Promise<Blocklist> {
  requireAccount(request.accountId);
  const words = normaliseEntries(request.words, normaliseWord, 'words');
  const domains = normaliseEntries(request.domains, normaliseDomain, 'domains');
  const updatedAt = new Date();
  await db
    .insertInto('blocklists')
    .values({
      account_id: request.accountId,
      words: JSON.stringify(words),
      domains: JSON.stringify(domains),
      updated_at: updatedAt,
    })
    .onConflict((conflict) =>
      conflict.column('account_id').doUpdateSet({
        words: JSON.stringify(words),
        domains: JSON.stringify(domains),
        updated_at: updatedAt,
      }),
    )
    .execute();
  return { accountId: request.accountId, words, domains, updatedAt };
}

/** A compiled list and whose it is. */
export interface OwnedMatcher {
  ownerId: string;
  matcher: BlocklistMatcher;
}

const compiled = new Map<string, BlocklistMatcher>();
const MAX_COMPILED = 1000;

/**
 * The lists that apply to a message of `accountIds` (its ancestors and itself), in that order:
 * one primary-key read per batch; compiling happens once per list version and replica.
 */
export async function blocklistsFor(
  db: Kysely<DispatchTables>,
  accountIds: readonly string[],
): Promise<OwnedMatcher[]> {
  const rows = await db
    .selectFrom('blocklists')
    .selectAll()
    .where('account_id', 'in', [...accountIds])
    .execute();
  const byOwner = new Map(rows.map((row) => [row.account_id, row]));
  return accountIds.flatMap((ownerId) => {
    const row = byOwner.get(ownerId);
    if (!row || (row.words.length === 0 && row.domains.length === 0)) return [];
    const version = `${ownerId}@${row.updated_at.getTime()}`;
    let matcher = compiled.get(version);
    if (!matcher) {
      matcher = compileBlocklist(row.words, row.domains);
      if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
      compiled.set(version, matcher);
    }
    return [{ ownerId, matcher }];
  });
}
