/**
 * `npm run bench` (third part): dispatch-policy cost and the rate limiter's accuracy, on a fresh
 * PostgreSQL database (DATABASE_URL's server).
 * - decisions/s: batches of 100 distinct messages through dispatch's accept transaction with
 *   no rules (the baseline), with the old rule set (self-send, account rate, duplicates) and
 *   with every rule on (blocklists of the account and two ancestors, opt-outs, failing and
 *   young sender, per-recipient limit), side by side in the same run. No limit is reached:
 *   every message passes every rule, so each costs its full check.
 * - accuracy: one account limited to RATE/s (burst RATE) driven at 3x for BENCH_POLICY_SECONDS
 *   in real time by two "replicas" (their own rule instances) at once; admitted messages
 *   against what the limit allows over the elapsed acceptance time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { common, fleet } from '@wagate/contracts';
import { migrateSchema, withSchema } from '@wagate/db';
import {
  acceptMessages,
  addOptOuts,
  DISPATCH_SCHEMA,
  type DispatchTables,
  defaultRules,
  dispatchMigrations,
  type SenderDirectory,
  setBlocklist,
} from '@wagate/dispatch';
import { databaseAdapters } from '@wagate/testkit';
import { conditions } from './report.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_POLICY_SECONDS ?? 10);
const batches = Number(process.env.BENCH_POLICY_BATCHES ?? 100);
const RATE = 50;

const senders: SenderDirectory = {
  async available(_accountId, names) {
    return new Map(
      names.map((name): [string, fleet.ResolvedSender] => [
        name,
        { name, available: true, numbers: ['79990000001'], senderName: name },
      ]),
    );
  },
};
let nextId = 1_000_000;
const message = (accountId: string, atMs: number): common.OutboundMessage => {
  const messageId = String(nextId++);
  return {
    messageId,
    accountId,
    sender: 'MyCompany',
    // Every message to a recipient of its own, as a campaign batch is.
    recipient: `7903${messageId.padStart(7, '0')}`,
    text: `m ${messageId}`,
    templateParams: {},
    validitySeconds: 0,
    acceptedAtMs: String(atMs),
  };
};

const adapter = databaseAdapters().find((a) => a.name === 'postgres')!;
const database = await adapter.open();
await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);

// Lists of realistic size on the platform, a reseller and the account itself; 1000 opt-outs.
const ANCESTORS = ['acc_bench_platform', 'acc_bench_reseller'];
const listOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
for (const owner of [...ANCESTORS, 'acc_all rules']) {
  await setBlocklist(db, {
    accountId: owner,
    words: listOf(`blocked${owner.length}word`, 200),
    domains: listOf(`spam${owner.length}-`, 100).map((name) => `${name}.example`),
  });
}
await addOptOuts(db, {
  accountId: 'acc_all rules',
  recipients: listOf('7903000', 1000).map((n) => n.padEnd(11, '0')),
});

const unreached = { perSecond: 1e9, burst: 1e9 };
const throughput: Array<{ rules: string; messages: number; seconds: number; messagesPerSecond: number }> = [];
for (const [label, rules] of [
  ['none (baseline)', []],
  [
    'old rules (self-send, account rate, duplicate)',
    defaultRules({ accountRate: unreached, failingSender: false }),
  ],
  [
    'all rules',
    defaultRules({
      accountRate: unreached,
      recipientRate: { perHour: 1e12 },
      youngSender: { youngForMs: 7 * 86_400_000, maxRecipients: 1e9, windowMs: 3_600_000 },
    }),
  ],
] as const) {
  const started = performance.now();
  for (let i = 0; i < batches; i++) {
    const now = Date.now();
    await acceptMessages(
      db,
      senders,
      {
        accountId: `acc_${label}`,
        messages: Array.from({ length: 100 }, () => message(`acc_${label}`, now)),
        failures: {},
        ancestorAccountIds: ANCESTORS,
      },
      rules,
    );
  }
  const elapsed = (performance.now() - started) / 1000;
  throughput.push({
    rules: label,
    messages: batches * 100,
    seconds: Math.round(elapsed * 100) / 100,
    messagesPerSecond: Math.round((batches * 100) / elapsed),
  });
}

const replicas = [
  defaultRules({ accountRate: { perSecond: RATE, burst: RATE } }),
  defaultRules({ accountRate: { perSecond: RATE, burst: RATE } }),
];
let first = 0;
let last = 0;
const tickMs = 100;
const perTick = (3 * RATE * tickMs) / 1000; // 3x the rate, split over the two replicas
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const tickStart = Date.now();
  await Promise.all(
    replicas.map((rules) => {
      const now = Date.now();
      if (first === 0) first = now;
      last = now;
      return acceptMessages(
        db,
        senders,
        {
          accountId: 'acc_limited',
          messages: Array.from({ length: perTick / 2 }, () => message('acc_limited', now)),
          failures: {},
        },
        rules,
      );
    }),
  );
  await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - tickStart))));
}
const admitted = Number(
  (
    await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('account_id', '=', 'acc_limited')
      .where('status', '=', 'ACCEPTED')
      .executeTakeFirstOrThrow()
  ).n,
);
const offered = Number(
  (
    await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('account_id', '=', 'acc_limited')
      .executeTakeFirstOrThrow()
  ).n,
);
const allowed = RATE + ((last - first) / 1000) * RATE;
const accuracy = {
  configuredPerSecond: RATE,
  burst: RATE,
  offered,
  admitted,
  allowed: Math.round(allowed * 10) / 10,
  admittedPercentOfAllowed: Math.round((admitted / allowed) * 1000) / 10,
};
await database.close();

const report = {
  kind: 'policy',
  ...conditions({ seconds, warmupSeconds: 0, connections: 2 }),
  batches,
  throughput,
  accuracy,
};
mkdirSync(join(benchDir, 'results'), { recursive: true });
writeFileSync(join(benchDir, 'results', 'policy-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ throughput, accuracy }, null, 2)}\n`);
