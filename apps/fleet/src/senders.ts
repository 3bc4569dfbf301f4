import { prefixedId } from '@wagate/ids';
import type { Kysely } from 'kysely';
import type { FleetTables } from './db/tables.js';

/** The account's sender `name`, made if missing. */
export async function ensureSender(
  db: Kysely<FleetTables>,
  accountId: string,
  name: string,
): Promise<{ id: string }> {
  await db
    .insertInto('senders')
    .values({ id: prefixedId('sender'), account_id: accountId, name })
    .onConflict((conflict) => conflict.columns(['account_id', 'name']).doNothing())
    .execute();
  return db
    .selectFrom('senders')
    .select('id')
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
}
