/**
 * `npm run chaos`: the production runtime (every service and a device agent its own process,
 * started from the bundle, on PostgreSQL and a NATS server of its own) under a load of unique
 * messages from a paying customer under a reseller, while each service and the NATS server in
 * turn is SIGKILLed and started again 3 s later. Then the load stops, the system drains, and
 * the audit counts — from the database and from the phones' own records — what was lost,
 * stuck, sent twice, charged twice, held for ever, which callbacks were lost and which
 * requests never learned their ids. Exit code 1 unless every count is 0.
 *
 * WAGATE_CHAOS_SECONDS (default 120) is how long the load and the kills last at least (longer
 * if restarts are slow: every process is killed once).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BillingTables, fundedCustomer } from '@wagate/billing/testing';
import { openDatabase, withSchema } from '@wagate/db';
import {
  freshPostgresUrl,
  isolatedBusNames,
  type ProductionService,
  startCallbackReceiver,
  startProductionRuntime,
} from '@wagate/testkit';
import { sql } from 'kysely';
import { audit } from './audit.js';
import { startLoad } from './load.js';
import { startOwnNatsServer } from './nats-server.js';

const seconds = Number(process.env.WAGATE_CHAOS_SECONDS ?? 120);
const RESELLER = 'acc_chaos_reseller';
const CUSTOMER = 'acc_chaos_customer';
const SENDER = 'ChaosCo';
const API_KEY = 'wag_chaos_customer_key_0123456789abcdef';
const PRICE = 100n;

const log = (message: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A fixed seed: the same run decides the same batch sizes and kill gaps.
let seed = 0x2f6b_1a93;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const work = mkdtempSync(join(tmpdir(), 'wagate-chaos-'));
const phoneRecords = join(work, 'phones');
const database = await freshPostgresUrl();
const nats = await startOwnNatsServer(join(work, 'nats'));
// Four tenants' endpoints (origins): each gets at most 4 POSTs in flight per dispatch replica.
const receivers = await Promise.all([1, 2, 3, 4].map(() => startCallbackReceiver()));
log(`work dir ${work}; NATS ${nats.url}; load average ${loadavg()[0]!.toFixed(2)}`);

const runtime = await startProductionRuntime({
  databaseUrl: database.url,
  natsUrl: nats.url,
  bus: isolatedBusNames(),
  apiKey: 'wag_chaos_demo_key_0123456789abcdef',
  enrolmentToken: 'chaos-enrolment-token',
  entry: 'bundle',
  extra: {
    // Reservations whose message never reached dispatch are released after 20 s (5 min in production).
    billing: { WAGATE_RESERVATION_SWEEP_AFTER_MS: '20000', WAGATE_RESERVATION_SWEEP_EVERY_MS: '2000' },
    fleet: {
      WAGATE_DEFAULT_ACCOUNT: CUSTOMER,
      WAGATE_DEFAULT_SENDER: SENDER,
      // The load writes to new contacts only: no pacing, so the phones keep up with it.
      WAGATE_PACING_NEW_CONTACT_GAP_MS: '0',
      WAGATE_PACING_KNOWN_CONTACT_GAP_MS: '0',
      WAGATE_PACING_DAILY_NEW_CONTACTS: '1000000',
      WAGATE_PACING_WARMUP: '',
      WAGATE_FLEET_HEARTBEAT_INTERVAL_MS: '1000',
    },
    'device-agent': {
      WAGATE_SIM_DEVICES: '6',
      WAGATE_AGENT_ID: 'chaos-agent',
      WAGATE_AGENT_JOURNAL_FILE: join(work, 'agent', 'journal.jsonl'),
      WAGATE_AGENT_CREDENTIAL_FILE: join(work, 'agent', 'credential'),
      WAGATE_SIM_RECORD_DIR: phoneRecords,
    },
  },
  services: ['billing', 'templates', 'fleet', 'dispatch', 'api'],
});
const db = await openDatabase(database.url);
// A paying customer under a reseller, priced at both levels.
const billing = withSchema<BillingTables>(db, 'billing');
await fundedCustomer(billing, {
  reseller: { id: RESELLER, name: 'Chaos reseller', textPriceMinor: 70 },
  customer: { id: CUSTOMER, name: 'Chaos customer', textPriceMinor: PRICE, key: API_KEY },
  creditMinor: 1_000_000_000n,
});
await runtime.start('device-agent');
log('runtime up: billing, templates, fleet, dispatch, api and a device agent with 6 simulated phones');

const load = startLoad({
  apiUrl: runtime.apiUrl,
  apiKey: API_KEY,
  sender: SENDER,
  callbackUrls: receivers.map((receiver) => `${receiver.url}/callbacks`),
  concurrency: 4,
  batchShare: 0.15,
  // The six phones send about 30 a second on a loaded 2-core machine: stay well below, so the
  // drain after the last kill takes seconds, however fast the api accepts.
  maxMessagesPerSecond: Number(process.env.WAGATE_CHAOS_RATE ?? 20),
  random,
});

// The last one: the agent dies while fleet is down, holding results fleet has not received.
const victims: Array<ProductionService | 'nats' | 'fleet+device-agent'> = [
  'api',
  'billing',
  'templates',
  'dispatch',
  'fleet',
  'device-agent',
  'nats',
  'fleet+device-agent',
];
const kills: string[] = [];
const endAt = Date.now() + seconds * 1_000;
let turn = 0;
// Every process is killed at least once, however long restarts take on a busy machine.
while (Date.now() < endAt || turn < victims.length) {
  await sleep(11_000 + Math.floor(random() * 6_000));
  if (Date.now() >= endAt && turn >= victims.length) break;
  const victim = victims[turn++ % victims.length]!;
  log(`SIGKILL ${victim}`);
  if (victim === 'nats') await nats.kill('SIGKILL');
  else if (victim === 'fleet+device-agent') {
    await runtime.stop('fleet', 'SIGKILL');
    await sleep(1_000);
    await runtime.stop('device-agent', 'SIGKILL');
  } else await runtime.stop(victim, 'SIGKILL');
  await sleep(3_000);
  const began = Date.now();
  if (victim === 'nats') await nats.start();
  else if (victim === 'fleet+device-agent') {
    await runtime.start('fleet');
    await runtime.start('device-agent');
  } else await runtime.start(victim);
  kills.push(`${victim} (ready ${Date.now() - began} ms)`);
  log(`${victim} back after ${Date.now() - began} ms`);
}

log('load stops; requests in progress keep retrying for up to 60 s');
await load.stop(Date.now() + 60_000);

// Drain: every accepted message settled, every reservation settled, every callback in — and
// quiet: phones still report DELIVERED and READ after the last SENT, and a status recorded after
// one look would have its callback still on the way at the next. So the history must also stop
// growing for five seconds in a row.
const drainUntil = Date.now() + 300_000;
const open = async () => {
  const { rows } = await sql<{ accepted: string; held: string; callbacks: string; history: string }>`
    select (select count(*) from dispatch.messages where account_id = ${CUSTOMER} and status = 'ACCEPTED') as accepted,
           (select count(*) from billing.reservations where account_id = ${CUSTOMER} and state = 'reserved') as held,
           (select count(*) from dispatch.callbacks where account_id = ${CUSTOMER} and state = 'pending') as callbacks,
           (select count(*) from dispatch.status_history) as history`.execute(db.db);
  return rows[0]!;
};
let lastHistory = '';
let quietPolls = 0;
for (;;) {
  const left = await open();
  quietPolls = left.history === lastHistory ? quietPolls + 1 : 0;
  lastHistory = left.history;
  const settled = left.accepted === '0' && left.held === '0' && left.callbacks === '0' && quietPolls >= 5;
  if (settled || Date.now() > drainUntil) {
    log(
      `drained: ${left.accepted} accepted, ${left.held} held, ${left.callbacks} callbacks pending, history quiet for ${quietPolls} s`,
    );
    break;
  }
  await sleep(1_000);
}

// Statuses recorded until now must have their callbacks; give those in flight a moment to land.
const { rows: cutoffRows } = await sql<{ cutoff: Date }>`select now() as cutoff`.execute(db.db);
await sleep(3_000);

const { findings, facts } = await audit({
  statusesRecordedBy: cutoffRows[0]!.cutoff,
  database: db,
  accountId: CUSTOMER,
  phoneRecordDir: phoneRecords,
  records: load.records,
  callbacks: receivers.flatMap((receiver) => receiver.received),
});
const { rows: money } = await sql<{ captured: string; balance: string }>`
  select (select count(*) from billing.reservations where account_id = ${CUSTOMER} and state = 'captured') as captured,
         (select balance_minor from billing.accounts where id = ${CUSTOMER}) as balance`.execute(db.db);
const spent = 1_000_000_000n - BigInt(money[0]!.balance);
const balanceOff = spent === BigInt(money[0]!.captured) * PRICE ? 0 : 1;

console.log('\n## chaos run');
console.log(`${seconds} s of load, kills: ${kills.join(', ')}`);
console.log(`facts: ${JSON.stringify(facts)}`);
console.log(
  `customer spent ${spent} = ${money[0]!.captured} captured × ${PRICE}: ${balanceOff === 0 ? 'yes' : 'NO'}`,
);
console.log('| finding | count |\n|---|---|');
const all = { ...findings, balanceNotCapturesTimesPrice: balanceOff };
for (const [name, count] of Object.entries(all)) console.log(`| ${name} | ${count} |`);
const failed = Object.values(all).some((count) => count !== 0);
console.log(failed ? '\nCHAOS AUDIT FAILED' : '\nchaos audit: every count is 0');
console.log(
  `load average at the end: ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);

await runtime.close();
await nats.kill('SIGTERM');
await Promise.all(receivers.map((receiver) => receiver.close()));
await db.close();
await database.drop();
if (!failed) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work} (journal, phone records, NATS store) for a look`);
process.exit(failed ? 1 : 0);
