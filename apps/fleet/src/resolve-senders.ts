import { type Kysely, sql } from 'kysely';
import type { FleetTables } from './db/tables.js';

const DIGITS_ONLY = /^\d+$/;

/** What one `from` entry names. */
export interface ResolvedSender {
  /** The entry as given. */
  name: string;
  available: boolean;
  /** The sender's devices' numbers (to refuse self-sends). */
  numbers: string[];
  /** The sender's name; empty when the entry names none. */
  senderName: string;
}

/**
 * Resolves what a message's `from` names: a sender of the account by its name, or — for an
 * entry of digits only that no sender has as its name — the sender one of whose devices has
 * that number (compared digits to digits, so `+7 999 000-00-01` on a device matches
 * `79990000001`). Each answer lists all of the sender's numbers, so dispatch can refuse
 * self-sends. One query for the whole batch.
 */
export async function resolveSenders(
  db: Kysely<FleetTables>,
  request: { accountId: string; senders: string[] },
): Promise<ResolvedSender[]> {
  const names = [...new Set(request.senders)];
  const numbers = names.filter((entry) => DIGITS_ONLY.test(entry));
  const rows =
    names.length === 0
      ? []
      : await db
          .selectFrom('senders')
          .leftJoin('devices', 'devices.sender_id', 'senders.id')
          .select(['senders.name', 'devices.phone_number'])
          .where('senders.account_id', '=', request.accountId)
          .where((eb) =>
            eb.or([
              eb('senders.name', 'in', names),
              ...(numbers.length === 0
                ? []
                : [
                    eb(
                      'senders.id',
                      'in',
                      eb
                        .selectFrom('devices as numbered')
                        .select('numbered.sender_id')
                        .where(sql`regexp_replace(numbered.phone_number, '\\D', '', 'g')`, 'in', numbers)
                        .where('numbered.sender_id', 'is not', null)
                        .$narrowType<{ sender_id: string }>(),
                    ),
                  ]),
            ]),
          )
          .execute();
  const senderNamed = (entry: string): string | undefined => {
    if (rows.some((row) => row.name === entry)) return entry;
    if (!DIGITS_ONLY.test(entry)) return undefined;
    return rows.find((row) => row.phone_number?.replace(/\D/g, '') === entry)?.name;
  };
  return request.senders.map((entry) => {
    const senderName = senderNamed(entry);
    const own = rows.filter((row) => senderName !== undefined && row.name === senderName);
    return {
      name: entry,
      available: senderName !== undefined,
      numbers: own.flatMap((row) => (row.phone_number ? [row.phone_number] : [])),
      senderName: senderName ?? '',
    };
  });
}
