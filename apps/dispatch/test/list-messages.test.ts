import type { dispatch } from '@wagate/contracts';
import { type Database, encodeCursor, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { createIdGenerator, idTimestampMs } from '@wagate/ids';
import { ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { listMessages } from '../src/list-messages.js';
import { messageRow } from './support/message-rows.js';

interface Seeded {
  id: string;
  accountId: string;
  sender: string;
  recipient: string;
  status: string;
  acceptedAtMs: number;
}

const SENDERS = ['Alpha', 'Beta'];
const RECIPIENTS = ['79030000001', '79030000002', '79030000003'];
const STATUSES = ['ACCEPTED', 'SENT', 'DELIVERED', 'READ', 'FAILED'];

/**
 * 120 messages of acc_a (more than the largest page) and 15 of acc_b, their ids interleaved as
 * two tenants' traffic would be, one millisecond apart.
 */
function seedMessages(): Seeded[] {
  let clock = Date.parse('2026-11-20T10:00:00Z');
  const ids = createIdGenerator(3, () => clock);
  const seeded: Seeded[] = [];
  for (let i = 0; i < 135; i++) {
    clock += 1;
    const id = ids.next();
    seeded.push({
      id,
      accountId: i % 9 === 4 ? 'acc_b' : 'acc_a',
      sender: SENDERS[i % SENDERS.length]!,
      recipient: RECIPIENTS[i % RECIPIENTS.length]!,
      status: STATUSES[i % STATUSES.length]!,
      acceptedAtMs: idTimestampMs(id),
    });
  }
  return seeded;
}

const newestFirst = (a: Seeded, b: Seeded) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1);

describe.each(databaseAdapters())('ListMessages on $name', (adapter) => {
  let database: Database;
  let db: Kysely<DispatchTables>;
  const seeded = seedMessages();

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
    db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
    await db
      .insertInto('messages')
      .values(seeded.map((m) => messageRow({ ...m, acceptedAt: new Date(m.acceptedAtMs) })))
      .execute();
  });

  afterAll(async () => {
    await database?.close();
  });

  /** Follows next_cursor to the end, checking every page on the way. */
  async function listAll(
    request: Partial<dispatch.ListMessagesRequest>,
    pageLimit: number,
  ): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 200; pages++) {
      const page = await listMessages(db, { accountId: 'acc_a', limit: pageLimit, cursor, ...request });
      expect(page.messages.length).toBeLessThanOrEqual(pageLimit);
      ids.push(...page.messages.map((m) => m.message!.messageId));
      if (page.nextCursor === '') return ids;
      // A page that announces another page is full, so the next one is never empty by surprise.
      expect(page.messages).toHaveLength(pageLimit);
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  function expected(accountId: string, keep: (m: Seeded) => boolean = () => true): string[] {
    return seeded
      .filter((m) => m.accountId === accountId && keep(m))
      .sort(newestFirst)
      .map((m) => m.id);
  }

  test.each([1, 7, 40, 100])(
    'pages through every message of the account once, newest first (limit %i)',
    async (limit) => {
      expect(await listAll({}, limit)).toEqual(expected('acc_a'));
    },
  );

  test('each filter pages through exactly the matching messages', async () => {
    const [from, to] = [seeded[20]!.acceptedAtMs, seeded[90]!.acceptedAtMs];
    const cases: Array<[Partial<dispatch.ListMessagesRequest>, (m: Seeded) => boolean]> = [
      [{ sender: 'Beta' }, (m) => m.sender === 'Beta'],
      [{ recipient: '79030000002' }, (m) => m.recipient === '79030000002'],
      [{ status: 'SENT' }, (m) => m.status === 'SENT'],
      [{ acceptedFromMs: String(from) }, (m) => m.acceptedAtMs >= from],
      [{ acceptedToMs: String(to) }, (m) => m.acceptedAtMs < to],
      [
        { sender: 'Alpha', recipient: '79030000001', acceptedFromMs: String(from), acceptedToMs: String(to) },
        (m) =>
          m.sender === 'Alpha' &&
          m.recipient === '79030000001' &&
          m.acceptedAtMs >= from &&
          m.acceptedAtMs < to,
      ],
    ];
    for (const [filter, keep] of cases) {
      const want = expected('acc_a', keep);
      expect(want.length).toBeGreaterThan(3);
      expect(await listAll(filter, 3)).toEqual(want);
    }
  });

  test('accepted_from_ms is inclusive and accepted_to_ms exclusive', async () => {
    const one = seeded.find((m) => m.accountId === 'acc_a')!;
    const at = String(one.acceptedAtMs);
    expect(await listAll({ acceptedFromMs: at, acceptedToMs: String(one.acceptedAtMs + 1) }, 10)).toEqual([
      one.id,
    ]);
    expect(await listAll({ acceptedFromMs: at, acceptedToMs: at }, 10)).toEqual([]);
  });

  test("an account sees only its own messages, and another's never", async () => {
    const ofB = await listAll({ accountId: 'acc_b' }, 4);
    expect(ofB).toEqual(expected('acc_b'));
    const ofA = new Set(await listAll({}, 100));
    expect(ofB.some((id) => ofA.has(id))).toBe(false);
    expect(await listAll({ accountId: 'acc_nobody' }, 10)).toEqual([]);
  });

  test('a page carries the message as accepted, its current status and when it last changed', async () => {
    const newest = seeded.filter((m) => m.accountId === 'acc_a').sort(newestFirst)[0]!;
    const page = await listMessages(db, { accountId: 'acc_a', limit: 1, cursor: '' });
    expect(page.messages).toEqual([
      {
        message: expect.objectContaining({
          messageId: newest.id,
          sender: newest.sender,
          recipient: newest.recipient,
        }),
        status: newest.status,
        errorCode: 0,
        updatedAtMs: String(newest.acceptedAtMs),
      },
    ]);
  });

  test('limit 0 means 50, and limits outside 1..100 are clamped', async () => {
    const size = async (limit: number) =>
      (await listMessages(db, { accountId: 'acc_a', limit, cursor: '' })).messages.length;
    expect(await size(0)).toBe(50);
    expect(await size(1_000)).toBe(100);
    expect(await size(-5)).toBe(1);
  });

  test('an empty filter string filters nothing', async () => {
    expect(await listAll({ sender: '', recipient: '', status: '' }, 100)).toEqual(expected('acc_a'));
  });

  test.each([
    ['not base64url', 'abc$%'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an object', Buffer.from('{"id":"1"}').toString('base64url')],
    ['an array of numbers', Buffer.from('[1]').toString('base64url')],
    ['a key of another list', encodeCursor(['MyCompany'])],
    ['a negative id', encodeCursor(['-1'])],
    ['an id beyond 64 bits', encodeCursor(['9223372036854775808'])],
    ['two keys', encodeCursor(['1', '2'])],
  ])('a malformed cursor (%s) is INVALID_ARGUMENT', async (_, cursor) => {
    await expect(listMessages(db, { accountId: 'acc_a', limit: 10, cursor })).rejects.toMatchObject({
      key: ErrorKey.Invalid,
      message: expect.stringContaining('next_cursor'),
    });
  });

  test('an unknown status or a non-numeric time is INVALID_ARGUMENT naming the field', async () => {
    await expect(
      listMessages(db, { accountId: 'acc_a', limit: 10, cursor: '', status: 'sent' }),
    ).rejects.toMatchObject({
      key: ErrorKey.Invalid,
      message: expect.stringContaining('DELIVERED'),
    });
    await expect(
      listMessages(db, { accountId: 'acc_a', limit: 10, cursor: '', acceptedFromMs: 'yesterday' }),
    ).rejects.toMatchObject({
      key: ErrorKey.Invalid,
      message: expect.stringContaining('accepted_from_ms'),
    });
  });
});
