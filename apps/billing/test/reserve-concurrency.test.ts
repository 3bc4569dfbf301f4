import { expect } from 'vitest';
import { fundedCustomer, ledgerProblems } from '../src/testing.js';
import { type BillingReplica, startBillingReplica, test } from './support/billing.js';

/**
 * No overspend under concurrency: many concurrent Reserve calls over gRPC, alternating between
 * two billing replicas (each its own process state and connection pool) on one PostgreSQL
 * database, against a balance that pays for exactly N messages.
 */

const PRICE = 100;
const FUNDED_MESSAGES = 40;
const BATCHES = 50;
const PER_BATCH = 2;
const customer = 'acc_busy_shop';

let replicas: BillingReplica[];
test.beforeAll(async ({ database, billing }) => {
  await fundedCustomer(billing.service.db, {
    customer: { id: customer, textPriceMinor: PRICE },
    creditMinor: BigInt(PRICE * FUNDED_MESSAGES),
  });
  replicas = [billing, await startBillingReplica(database.url)];
}, 60_000);

test.afterAll(async () => {
  await replicas?.[1]?.stop();
});

test(`${BATCHES} concurrent batches through two billing replicas: exactly the ${FUNDED_MESSAGES} funded messages are reserved`, async ({
  billing,
}) => {
  const answers = await Promise.all(
    Array.from({ length: BATCHES }, (_, i) =>
      replicas[i % 2]!.client.reserve({
        accountId: customer,
        items: Array.from({ length: PER_BATCH }, (_, j) => ({
          messageId: String(10_000 + i * PER_BATCH + j),
          recipient: '79034567890',
          kind: 'text',
          sender: 'Busy',
          templateCategory: '',
        })),
      }),
    ),
  );
  const results = answers.flatMap((answer) => answer.results);
  expect(results.filter((result) => result.reserved)).toHaveLength(FUNDED_MESSAGES);
  const refused = results.filter((result) => !result.reserved);
  expect(refused).toHaveLength(BATCHES * PER_BATCH - FUNDED_MESSAGES);
  expect(new Set(refused.map((result) => result.rejectionKey))).toEqual(new Set(['billing.error']));

  const balance = await billing.client.getBalance({ accountId: customer });
  // Every funded message is held and the rest refused: nothing is left, nothing overspent.
  expect(BigInt(balance.balanceMinor) - BigInt(balance.reservedMinor)).toBe(0n);
  expect(await ledgerProblems(billing.service.db)).toEqual([]);
});
