import { migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/testkit';
import { describe, expect, test } from 'vitest';
import { acceptMessages } from '../src/accept.js';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { defaultRules } from '../src/policy/index.js';
import { messageCounts } from './support/dispatch-db.js';
import { outboundMessage, senderDirectory } from './support/outbound-messages.js';

const senders = senderDirectory();
// All texts differ: no duplicates here.
let sent = 0;
const message = (accountId: string, acceptedAt: number) =>
  outboundMessage({ accountId, acceptedAt, text: `message ${sent++}` });

describe.each(databaseAdapters())('account rate limit on $name', (adapter) => {
  test('two replicas driven at 3x the rate admit what the limit allows (within 1%) and fail the rest with 2301', async () => {
    const database = await adapter.open();
    try {
      await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
      const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
      const limit = { perSecond: 10, burst: 10 };
      // Each replica has its own rules, as two dispatch processes would; the bucket is shared.
      const replicas = [defaultRules({ accountRate: limit }), defaultRules({ accountRate: limit })];
      const seconds = 20;
      const t0 = Date.now() - seconds * 1000;
      for (let second = 0; second < seconds; second++) {
        // 30 messages a second (3x), as 6 concurrent requests of 5 split across the replicas.
        await Promise.all(
          Array.from({ length: 6 }, (_, request) =>
            acceptMessages(
              db,
              senders,
              {
                accountId: 'acc_rate',
                messages: Array.from({ length: 5 }, () => message('acc_rate', t0 + second * 1000 + request)),
                failures: {},
              },
              replicas[request % 2]!,
            ),
          ),
        );
      }
      // Another account has a bucket of its own.
      await acceptMessages(
        db,
        senders,
        { accountId: 'acc_other', messages: [message('acc_other', t0)], failures: {} },
        replicas[0]!,
      );

      const count = await messageCounts(db);
      const allowed = limit.burst + (seconds - 1) * limit.perSecond;
      const admitted = count('acc_rate', 'ACCEPTED', 0);
      expect(Math.abs(admitted - allowed)).toBeLessThanOrEqual(allowed * 0.01);
      expect(count('acc_rate', 'FAILED', 2301)).toBe(seconds * 30 - admitted);
      expect(count('acc_other', 'ACCEPTED', 0)).toBe(1);
      const refused = await db
        .selectFrom('status_history')
        .select(['rule', 'reason'])
        .where('error_code', '=', 2301)
        .executeTakeFirstOrThrow();
      expect(refused.rule).toBe('account-rate');
      expect(refused.reason).toContain('retry later');
    } finally {
      await database.close();
    }
  });
});
