import {
  ensureChildAccount,
  ensureKey,
  generateApiKey,
  grantCredit,
  hashApiKey,
  PLATFORM_ACCOUNT_ID,
} from '@wagate/billing';
import { type BillingTables, ledgerProblems } from '@wagate/billing/testing';
import { type Bus, openBus } from '@wagate/bus';
import { type MessageStatusEvent, Topics } from '@wagate/contracts';
import { type Database, openDatabase, withSchema } from '@wagate/db';
import {
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ProductionRuntime,
  startProductionRuntime,
} from '@wagate/testkit';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';

/**
 * The money path at scale, end to end: 1 000 tenants under 10 resellers send at once through
 * two api and two billing processes (production processes on one PostgreSQL and one NATS),
 * while their messages are captured (SENT) and released (FAILED) through the bus — events
 * repeated, and a FAILED after a SENT. Afterwards the ledger balances, every accepted message is
 * charged once or released once, the platform holds exactly what it was paid, and no account
 * went below its floor. One reseller sells below its cost, so its own funds cap its customers.
 */

const RESELLERS = 10;
const TENANTS = 1_000;
const CUSTOMER_PRICE = 100;
const RESELLER_PRICE = 70;
/** Reseller 0 pays the platform more than its customers pay it: it holds 20 per message. */
const LOSS_LEADER_PRICE = 120;
const FUNDED_MESSAGES = 4;
/** What reseller 0 can lose: 150 messages' worth, fewer than its 100 customers want (400). */
const LOSS_LEADER_FUNDS = (LOSS_LEADER_PRICE - CUSTOMER_PRICE) * 150;
/** One request per tenant, more messages than it can pay for: each tenant's limit is exact. */
const REQUESTS_PER_TENANT = 1;
const MESSAGES_PER_REQUEST = 6;
const HTTP_CONCURRENCY = 48;

const resellerId = (r: number) => `acc_money_reseller_${r}`;
const tenantId = (t: number) => `acc_money_tenant_${String(t).padStart(4, '0')}`;
const resellerOf = (t: number) => t % RESELLERS;
/** Odd tenants see releases (FAILED) while they send; even ones are only captured. */
const seesReleases = (t: number) => t % 2 === 1;

const platformKey = generateApiKey();
const tenantKeys: string[] = [];
let database: FreshPostgres;
let runtime: ProductionRuntime;
let db: Database;
let billingDb: Kysely<BillingTables>;
let bus: Bus;

beforeAll(async () => {
  database = await freshPostgresUrl();
  const busNames = isolatedBusNames();
  runtime = await startProductionRuntime({
    databaseUrl: database.url,
    natsUrl: natsUrl(),
    bus: busNames,
    apiKey: generateApiKey(),
    enrolmentToken: 'money-path-token',
    services: ['billing', 'templates', 'fleet', 'dispatch', 'api'],
    // Two billing replicas (each its own pool, roll-up and member of billing's consumer group)
    // and two api replicas, api replica r reserving through billing replica r.
    replicas: { billing: 2, api: 2 },
  });
  db = await openDatabase(database.url);
  billingDb = withSchema<BillingTables>(db, 'billing');
  await ensureKey(billingDb, PLATFORM_ACCOUNT_ID, platformKey, 'money path test');
  for (let r = 0; r < RESELLERS; r++) {
    await ensureChildAccount(billingDb, {
      id: resellerId(r),
      name: `Reseller ${r}`,
      parentId: PLATFORM_ACCOUNT_ID,
      kind: 'reseller',
    });
  }
  // The tenants, their keys and their credit in a few statements (one row each would take a
  // minute on a busy machine): each tenant's credit is a balanced transfer from outside.
  for (let t = 0; t < TENANTS; t++) tenantKeys[t] = generateApiKey();
  const tenants = Array.from({ length: TENANTS }, (_, t) => t);
  await sql`
    insert into billing.accounts (id, name, parent_id, kind, status, path, depth, balance_minor)
    select tenant.id, 'Tenant ' || tenant.n, reseller.id, 'customer', 'active', reseller.path || tenant.id || '/', 2,
      ${CUSTOMER_PRICE * FUNDED_MESSAGES}
    from unnest(${tenants.map(tenantId)}::text[], ${tenants}::int[], ${tenants.map((t) => resellerId(resellerOf(t)))}::text[])
      as tenant(id, n, reseller_id)
    join billing.accounts reseller on reseller.id = tenant.reseller_id
  `.execute(db.db);
  await sql`
    insert into billing.ledger_entries (transaction_id, account_id, amount_minor, kind, memo)
    select 'credit_' || tenant.id, side.account_id, side.amount, 'transfer', 'test'
    from unnest(${tenants.map(tenantId)}::text[]) as tenant(id)
    cross join lateral (values ('@external', ${-CUSTOMER_PRICE * FUNDED_MESSAGES}::bigint),
      (tenant.id, ${CUSTOMER_PRICE * FUNDED_MESSAGES}::bigint)) as side(account_id, amount)
  `.execute(db.db);
  await sql`
    insert into billing.api_keys (id, account_id, name, key_hash, prefix, scopes)
    select 'key_money_' || tenant.id, tenant.id, 'sender', tenant.hash, tenant.prefix, '{send}'::text[]
    from unnest(${tenants.map(tenantId)}::text[], ${tenantKeys.map(hashApiKey)}::text[],
      ${tenantKeys.map((key) => key.slice(0, 8))}::text[]) as tenant(id, hash, prefix)
  `.execute(db.db);
  await billingDb
    .insertInto('prices')
    .values([
      ...Array.from({ length: RESELLERS }, (_, r) => ({
        account_id: resellerId(r),
        country: '*',
        kind: 'text',
        price_minor: String(r === 0 ? LOSS_LEADER_PRICE : RESELLER_PRICE),
      })),
      ...tenants.map((t) => ({
        account_id: tenantId(t),
        country: '*',
        kind: 'text',
        price_minor: String(CUSTOMER_PRICE),
      })),
    ])
    .execute();
  await grantCredit(billingDb, resellerId(0), BigInt(LOSS_LEADER_FUNDS), 'test');
  // Each tenant's sender (fleet's table; no phone serves it, so accepted messages wait in the
  // queue and this test plays the phones' statuses on the bus).
  await sql`
    insert into fleet.senders (id, account_id, name)
    select 'sender_money_' || t, 'acc_money_tenant_' || lpad(t::text, 4, '0'), 'Shop'
    from generate_series(0, ${TENANTS - 1}) as t
  `.execute(db.db);
  bus = await openBus(natsUrl(), busNames);
}, 240_000);

/** DEBUG_MONEY_PATH=1: the processes' warnings and errors, when a request fails. */
function dumpErrors() {
  for (const child of [...(runtime?.replicas('billing') ?? []), ...(runtime?.replicas('api') ?? [])]) {
    for (const line of child?.output ?? []) {
      if (/"level":"(error|warn)"|Error/.test(line)) console.log(child!.name, line.slice(0, 2000));
    }
  }
}

afterAll(async () => {
  await bus?.close();
  await db?.close();
  await runtime?.close();
  await database?.drop();
}, 60_000);

interface Sent {
  tenant: number;
  accepted: string[];
  refusals: string[];
}

/** Publishes a status event as dispatch does (one id per publish, so JetStream keeps repeats). */
const publishStatus = (messageId: string, status: 'SENT' | 'FAILED', copy: number) => {
  const event: MessageStatusEvent = {
    messageId,
    accountId: '',
    status,
    errorCode: status === 'FAILED' ? 2313 : 0,
    atMs: Date.now(),
    source: 'test',
  };
  return bus.publish({
    topic: Topics.messageStatus,
    id: `${messageId}:${status}:${copy}`,
    key: messageId,
    data: event,
  });
};

test('1 000 tenants through two api and two billing replicas: each message charged or released once, the ledger balanced, no account below its floor', async () => {
  const sentEvents = new Set<string>();
  const racedWithFailed = new Set<string>();
  const failedOnly = new Set<string>();
  const settling: Array<Promise<unknown>> = [];
  // Settles a request's accepted messages while other requests are still being sent: the first
  // SENT (twice); for tenants with releases, the others FAILED (twice) — and the SENT one FAILED
  // afterwards, which must change nothing.
  const settle = (tenant: number, accepted: string[]) => {
    accepted.forEach((messageId, index) => {
      if (!seesReleases(tenant) || index === 0) {
        sentEvents.add(messageId);
        if (seesReleases(tenant)) racedWithFailed.add(messageId);
        settling.push(
          publishStatus(messageId, 'SENT', 1)
            .then(() => publishStatus(messageId, 'SENT', 2))
            .then(() => (seesReleases(tenant) ? publishStatus(messageId, 'FAILED', 1) : undefined)),
        );
      } else {
        failedOnly.add(messageId);
        settling.push(
          publishStatus(messageId, 'FAILED', 1).then(() => publishStatus(messageId, 'FAILED', 2)),
        );
      }
    });
  };

  const began = Date.now();
  const requests = Array.from({ length: TENANTS * REQUESTS_PER_TENANT }, (_, n) => ({
    tenant: n % TENANTS,
    attempt: Math.floor(n / TENANTS),
  }));
  const results: Sent[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: HTTP_CONCURRENCY }, async () => {
      while (next < requests.length) {
        const { tenant, attempt } = requests[next++]!;
        const base = runtime.apiUrls[(tenant + attempt) % runtime.apiUrls.length]!;
        const response = await fetch(`${base}/whatsapp/messages`, {
          method: 'POST',
          headers: { authorization: `Key ${tenantKeys[tenant]}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            messages: Array.from({ length: MESSAGES_PER_REQUEST }, (_, i) => ({
              from: 'Shop',
              to: `7903${String(tenant * 10 + attempt * MESSAGES_PER_REQUEST + i).padStart(7, '0')}`,
              text: `Your code is ${tenant}-${attempt}-${i}`,
            })),
          }),
        });
        const text = await response.text();
        if (response.status !== 200 && process.env.DEBUG_MONEY_PATH) dumpErrors();
        expect(response.status, text).toBe(200);
        const body = JSON.parse(text) as {
          result: Array<{
            code: string;
            messageId?: string;
            description?: string;
            reasons?: Array<{ key: string }>;
          }>;
        };
        const accepted = body.result
          .filter((result) => result.code === 'OK')
          .map((result) => result.messageId!);
        const refused = body.result.filter((result) => result.code !== 'OK');
        for (const refusal of refused) expect(refusal.reasons?.[0]?.key).toBe('billing.error');
        results.push({ tenant, accepted, refusals: refused.map((refusal) => refusal.description ?? '') });
        settle(tenant, accepted);
      }
    }),
  );
  await Promise.all(settling);
  const sentAt = Date.now();

  const accepted = results.flatMap((sent) => sent.accepted);
  expect(new Set(accepted).size).toBe(accepted.length);
  // Every accepted message is settled by billing (its consumers in two processes), then no hold is left.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const open = await billingDb
      .selectFrom('reservations')
      .select((eb) => eb.fn.countAll<string>().as('open'))
      .where('state', '=', 'reserved')
      .executeTakeFirstOrThrow();
    if (Number(open.open) === 0) break;
    if (Date.now() > deadline) throw new Error(`${open.open} reservations still open after 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  if (process.env.DEBUG_MONEY_PATH)
    console.log('sent in', sentAt - began, 'ms; settled', Date.now() - sentAt, 'ms later');
  // The ledger balances (and every balance, rolled up or not, is its entries' sum).
  expect(await ledgerProblems(billingDb)).toEqual([]);

  // Each accepted message is charged once or released once: one SENT and nothing else charges,
  // FAILED alone releases, and a SENT racing a FAILED (two billing replicas may take them in
  // either order) settles on whichever came first — once.
  const settled = await sql<{ message_id: string; state: string; charges: number; reseller_paid: string }>`
    select r.message_id::text, r.state, coalesce(c.charges, 0)::int as charges,
      (r.chain->1->>'priceMinor') as reseller_paid
    from billing.reservations r
    left join (
      select message_id, count(distinct transaction_id) as charges from billing.ledger_entries
      where kind = 'charge' group by message_id
    ) c on c.message_id = r.message_id
    where r.account_id like 'acc_money_tenant_%'
  `.execute(db.db);
  expect(settled.rows).toHaveLength(accepted.length);
  const outcome = (row: (typeof settled.rows)[number]) =>
    sentEvents.has(row.message_id) && !racedWithFailed.has(row.message_id)
      ? ['captured', 1]
      : failedOnly.has(row.message_id)
        ? ['released', 0]
        : row.state === 'captured'
          ? ['captured', 1]
          : ['released', 0];
  for (const row of settled.rows) {
    expect([row.message_id, row.state, row.charges]).toEqual([row.message_id, ...outcome(row)]);
  }
  expect(settled.rows.filter((row) => row.state === 'captured').length).toBeGreaterThan(0);
  expect(settled.rows.filter((row) => row.state === 'released').length).toBeGreaterThan(0);

  // The platform holds exactly what the resellers paid it for the captured messages, as the API shows it.
  const paid = settled.rows
    .filter((row) => row.state === 'captured')
    .reduce((sum, row) => sum + Number(row.reseller_paid), 0);
  const platform = await fetch(`${runtime.apiUrl}/v1/account`, {
    headers: { authorization: `Key ${platformKey}` },
  });
  expect(((await platform.json()) as { balanceMinor: number }).balanceMinor).toBe(paid);

  // No account went below its floor (none has credit): every balance is >= 0 and nothing is held.
  const accounts = await sql<{ id: string; balance: string; held: string }>`
    select a.id, a.balance_minor + coalesce((select sum(u.amount_minor) from billing.unrolled_postings u
      where u.account_id = a.id), 0) as balance, a.held_minor as held
    from billing.accounts a where a.id like 'acc_money_%'
  `.execute(db.db);
  expect(accounts.rows.filter((row) => BigInt(row.balance) < 0n || row.held !== '0')).toEqual([]);

  // Limit accuracy: a tenant that saw no release got exactly what it paid for, unless the reseller
  // selling below cost ran out first — which it did, and said so as "an account above this one".
  for (const t of Array.from({ length: TENANTS }, (_, i) => i).filter(
    (i) => !seesReleases(i) && resellerOf(i) !== 0,
  )) {
    expect([t, results.filter((sent) => sent.tenant === t).flatMap((sent) => sent.accepted).length]).toEqual([
      t,
      FUNDED_MESSAGES,
    ]);
  }
  const lossLeaderRefusals = results
    .filter((sent) => resellerOf(sent.tenant) === 0)
    .flatMap((sent) => sent.refusals)
    .filter((description) => description.includes('an account above this one'));
  expect(lossLeaderRefusals.length).toBeGreaterThan(0);
  const lossLeader = accounts.rows.find((row) => row.id === resellerId(0))!;
  const capturedUnderLossLeader = settled.rows.filter(
    (row) => row.state === 'captured' && Number(row.reseller_paid) === LOSS_LEADER_PRICE,
  ).length;
  expect(BigInt(lossLeader.balance)).toBe(
    BigInt(LOSS_LEADER_FUNDS) + BigInt(capturedUnderLossLeader) * BigInt(CUSTOMER_PRICE - LOSS_LEADER_PRICE),
  );
}, 300_000);
