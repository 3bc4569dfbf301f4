import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChildAccount, ensureKey, grantCredit } from '@wagate/billing';
import { type BillingTables, fundedCustomer } from '@wagate/billing/testing';
import { type Database, openDatabase, withSchema } from '@wagate/db';
import {
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  type NatsCluster,
  type ProductionRuntime,
  startCallbackReceiver,
  startNatsCluster,
  startProductionRuntime,
} from '@wagate/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runSendScenario } from './send-scenario.js';

// Every service as two replicas — api, billing, templates, dispatch and fleet, each its own
// production process — on a three-node NATS cluster (streams R3) and PostgreSQL, with two device
// agents of three simulated phones each, one streaming to each fleet replica. Replica r of a
// caller talks to replica r of each peer (the test kit's wiring), so requests alternating
// between the two api replicas also go through both billing and both dispatch replicas.
// Then one fleet replica is SIGKILLed while its agent's phones hold offered jobs and more wait
// in the queue: the agent moves to the other replica, which offers the unfinished jobs again,
// and every message ends READ, sent by a phone exactly once.

const RESELLER = 'acc_replicas_reseller';
const CUSTOMER = 'acc_replicas_customer';
const QUOTA_ACCOUNT = 'acc_replicas_quota';
const RATE_ACCOUNT = 'acc_replicas_rate';
const KEYS = {
  reseller: 'wag_replicas_reseller_key_0123456789ab',
  customer: 'wag_replicas_customer_key_0123456789ab',
  quota: 'wag_replicas_quota_key_0123456789abcdef',
  rate: 'wag_replicas_rate_key_0123456789abcdefg',
};
const SENDER = 'MyCompany';
const PRICE = 100;
const FUNDED_MESSAGES = 40;
const DAILY_QUOTA = 30;
// Every account's rate (dispatch's setting): a burst the customer's own traffic never reaches.
const RATE = { perSecond: 1, burst: 200 };
const FAILOVER_MESSAGES = 60;

let cluster: NatsCluster;
let postgres: FreshPostgres;
let runtime: ProductionRuntime;
let database: Database;
let work: string;
const phoneRecords = () => join(work, 'phones');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wagate-replicas-'));
  cluster = await startNatsCluster(3);
  postgres = await freshPostgresUrl();
  runtime = await startProductionRuntime({
    databaseUrl: postgres.url,
    natsUrl: cluster.url,
    bus: isolatedBusNames(),
    streamReplicas: 3,
    apiKey: 'wag_replicas_demo_key_0123456789abcdef',
    enrolmentToken: 'replicas-enrolment-token',
    replicas: { billing: 2, templates: 2, dispatch: 2, fleet: 2, api: 2, 'device-agent': 2 },
    // Ten service processes start from source at once on a shared machine.
    readyTimeoutMs: 240_000,
    extra: {
      dispatch: {
        WAGATE_ACCOUNT_RATE_PER_SECOND: `${RATE.perSecond}`,
        WAGATE_ACCOUNT_RATE_BURST: `${RATE.burst}`,
      },
      fleet: {
        // The agents enrol under the customer, and its phones serve its sender.
        WAGATE_DEFAULT_ACCOUNT: CUSTOMER,
        WAGATE_DEFAULT_SENDER: SENDER,
        // A short pace, so a queue builds and each phone holds offers prepared ahead (lookahead).
        WAGATE_PACING_NEW_CONTACT_GAP_MS: '400',
        WAGATE_PACING_KNOWN_CONTACT_GAP_MS: '400',
        WAGATE_PACING_DAILY_NEW_CONTACTS: '100000',
        WAGATE_PACING_WARMUP: '',
      },
      'device-agent': { WAGATE_SIM_DEVICES: '3', WAGATE_SIM_RECORD_DIR: phoneRecords() },
    },
    replicaExtra: (service, replica): Record<string, string> =>
      service === 'device-agent'
        ? {
            WAGATE_AGENT_JOURNAL_FILE: join(work, `agent-${replica}`, 'journal.jsonl'),
            WAGATE_AGENT_CREDENTIAL_FILE: join(work, `agent-${replica}`, 'credential'),
          }
        : {},
    services: ['billing', 'templates', 'fleet', 'dispatch', 'api'],
  });
  database = await openDatabase(postgres.url);
  // A paying customer under a reseller, priced at both levels, and two more customers for the
  // quota and rate checks (they pay the reseller's price).
  const billing = withSchema<BillingTables>(database, 'billing');
  await fundedCustomer(billing, {
    reseller: { id: RESELLER, textPriceMinor: 70, key: KEYS.reseller },
    customer: { id: CUSTOMER, name: 'Paying customer', textPriceMinor: PRICE, key: KEYS.customer },
    creditMinor: BigInt(PRICE * FUNDED_MESSAGES),
  });
  for (const [id, name, key] of [
    [QUOTA_ACCOUNT, 'Quota customer', KEYS.quota],
    [RATE_ACCOUNT, 'Rate customer', KEYS.rate],
  ] as const) {
    await ensureChildAccount(billing, { id, name, parentId: RESELLER, kind: 'customer' });
    await grantCredit(billing, id, 1_000_000n, `${name}: limit check`);
    await ensureKey(billing, id, key, name);
  }
  // The quota and rate customers' sender pools have no phones: what they get accepted waits in
  // fleet's queue, which is all those checks look at.
  await sql`insert into fleet.senders (id, account_id, name) values
    ('snd_replicas_quota', ${QUOTA_ACCOUNT}, ${SENDER}), ('snd_replicas_rate', ${RATE_ACCOUNT}, ${SENDER})`.execute(
    database.db,
  );
  // Agent r dials fleet replica r first.
  await Promise.all([runtime.start('device-agent', 0), runtime.start('device-agent', 1)]);
}, 600_000);

afterAll(async () => {
  await database?.close();
  await runtime?.close();
  await cluster?.stop();
  await postgres?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface SendResult {
  code: string;
  messageId?: string;
  reasons?: Array<{ key: string }>;
}

/** One POST /whatsapp/messages to api replica `replica`. */
async function send(replica: number, key: string, messages: Array<{ to: string; text: string }>) {
  const response = await fetch(`${runtime.apiUrls[replica]}/whatsapp/messages`, {
    method: 'POST',
    headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: messages.map((message) => ({ from: SENDER, ...message })) }),
  });
  const body = (await response.json()) as { result: SendResult[] };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.result;
}

/** `batches` requests of `perBatch` messages all at once, alternating between the api replicas. */
async function concurrently(key: string, batches: number, perBatch: number, label: string) {
  const answers = await Promise.all(
    Array.from({ length: batches }, (_, i) =>
      send(
        i % 2,
        key,
        Array.from({ length: perBatch }, (_, j) => {
          const n = i * perBatch + j;
          // Recipients never end in 0000 (the simulated phones' "not on WhatsApp" numbers).
          return { to: `7903${2_000_001 + n}`, text: `${label} ${n}` };
        }),
      ),
    ),
  );
  return answers.flat();
}

/** Which fleet replicas each agent was welcomed by, in order, from the agents' own logs: agent id → fleet replica indexes. */
function agentStreams(): Map<string, number[]> {
  const fleetAgentAddresses = runtime.wiring.replicaPorts!.fleetAgents.map((port) => `127.0.0.1:${port}`);
  const streams = new Map<string, number[]>();
  for (const agent of runtime.replicas('device-agent')) {
    let agentId = '';
    const welcomedBy: number[] = [];
    for (const line of agent.output) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; agentId?: string; fleetAddress?: string };
      if (entry.msg === 'device agent started') agentId = entry.agentId ?? '';
      if (entry.msg === 'welcomed by the fleet')
        welcomedBy.push(fleetAgentAddresses.indexOf(entry.fleetAddress ?? ''));
    }
    streams.set(agentId, welcomedBy);
  }
  return streams;
}

/** How often each message left a phone, from the simulated phones' own records. */
function phoneSends(): Map<string, number> {
  const sends = new Map<string, number>();
  for (const file of readdirSync(phoneRecords()).filter((name) => name.endsWith('.sent.jsonl'))) {
    for (const line of readFileSync(join(phoneRecords(), file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const { messageId } = JSON.parse(line) as { messageId: string };
      sends.set(messageId, (sends.get(messageId) ?? 0) + 1);
    }
  }
  return sends;
}

/** Waits (generously: the machine is shared) until no message of the customer is short of READ; returns those that are. */
async function notReadAfterWaiting(): Promise<string[]> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { rows } = await sql<{ id: string; status: string }>`
      select id::text, status from dispatch.messages where account_id = ${CUSTOMER} and status <> 'READ'`.execute(
      database.db,
    );
    if (rows.length === 0 || Date.now() > deadline) return rows.map((row) => `${row.id}: ${row.status}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

describe('every service as two replicas', () => {
  test('agents are spread over both fleet replicas', () => {
    const streams = agentStreams();
    expect([...streams.values()].map((replicas) => replicas[0]).sort()).toEqual([0, 1]);
  });

  test('the send scenario through each api replica', { timeout: 120_000 }, async () => {
    for (const replica of [0, 1]) {
      const receiver = await startCallbackReceiver();
      try {
        await runSendScenario({ baseUrl: runtime.apiUrls[replica]!, apiKey: KEYS.customer, receiver });
      } finally {
        await receiver.close();
      }
    }
  });

  test('no overspend: a balance for N messages accepts exactly N across both api and billing replicas', {
    timeout: 120_000,
  }, async () => {
    // The two scenario messages are paid already: top the balance up to exactly FUNDED_MESSAGES.
    const billing = withSchema<BillingTables>(database, 'billing');
    const before = await fetch(`${runtime.apiUrls[0]}/v1/account`, {
      headers: { authorization: `Key ${KEYS.customer}` },
    });
    const account = (await before.json()) as { balanceMinor: number; reservedMinor: number };
    const available = account.balanceMinor - account.reservedMinor;
    await grantCredit(billing, CUSTOMER, BigInt(PRICE * FUNDED_MESSAGES - available), 'top up to N messages');

    const results = await concurrently(KEYS.customer, 50, 2, 'funded');
    expect(results.filter((result) => result.code === 'OK')).toHaveLength(FUNDED_MESSAGES);
    const rejected = results.filter((result) => result.code === 'REJECTED');
    expect(rejected).toHaveLength(100 - FUNDED_MESSAGES);
    expect(new Set(rejected.map((result) => result.reasons?.[0]?.key))).toEqual(new Set(['billing.error']));
    const after = await fetch(`${runtime.apiUrls[1]}/v1/account`, {
      headers: { authorization: `Key ${KEYS.customer}` },
    });
    const spent = (await after.json()) as { balanceMinor: number; reservedMinor: number };
    expect(spent.balanceMinor - spent.reservedMinor).toBe(0);
    // Funds for the rest of the test.
    await grantCredit(billing, CUSTOMER, 10_000_000n, 'the failover load');
  });

  test('a daily quota is exact across the replicas', { timeout: 120_000 }, async () => {
    const set = await fetch(`${runtime.apiUrls[0]}/v1/accounts/${QUOTA_ACCOUNT}`, {
      method: 'PATCH',
      headers: { authorization: `Key ${KEYS.reseller}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dailyQuota: DAILY_QUOTA }),
    });
    expect(set.status, await set.clone().text()).toBe(200);
    const results = await concurrently(KEYS.quota, 20, 3, 'quota');
    expect(results.filter((result) => result.code === 'OK')).toHaveLength(DAILY_QUOTA);
    const rejected = results.filter((result) => result.code === 'REJECTED');
    expect(rejected).toHaveLength(60 - DAILY_QUOTA);
    expect(new Set(rejected.map((result) => result.reasons?.[0]?.key))).toEqual(new Set(['quota.exceeded']));
  });

  test('the account rate limit is one bucket across both dispatch replicas', {
    timeout: 120_000,
  }, async () => {
    const sent = 300;
    await concurrently(KEYS.rate, sent / 10, 10, 'rate');
    const { rows } = await sql<{ refused: number; admitted: number; span_ms: number }>`
      select count(*) filter (where error_code = 2301)::int as refused,
             count(*) filter (where error_code <> 2301)::int as admitted,
             extract(epoch from max(accepted_at) - min(accepted_at)) * 1000 as span_ms
      from dispatch.messages where account_id = ${RATE_ACCOUNT}`.execute(database.db);
    const { refused, admitted, span_ms: spanMs } = rows[0]!;
    expect(refused + admitted).toBe(sent);
    // The bucket starts full: the burst is admitted whatever the pace. Beyond it only what refilled
    // while the requests arrived (their acceptance times, however slow the machine) — two buckets,
    // one per replica, would admit up to twice the burst.
    expect(admitted).toBeGreaterThanOrEqual(RATE.burst);
    expect(admitted).toBeLessThanOrEqual(
      RATE.burst + Math.floor((Number(spanMs) / 1000) * RATE.perSecond) + 1,
    );
    console.log(
      `replicas: the rate limit admitted ${admitted} of ${sent} (burst ${RATE.burst}, ${RATE.perSecond}/s) over ${Math.round(Number(spanMs))} ms`,
    );
  });

  test('a fleet replica SIGKILLed with offers out: its agent moves over, nothing is sent twice, the queue carries on', {
    timeout: 420_000,
  }, async () => {
    const streams = agentStreams();
    const [movingAgent] = [...streams].find(([, replicas]) => replicas[0] === 0)!;
    const results = await concurrently(KEYS.customer, FAILOVER_MESSAGES / 4, 4, 'failover');
    expect(results.filter((result) => result.code === 'OK')).toHaveLength(FAILOVER_MESSAGES);

    // Kill fleet 0 once its agent's phones hold offered jobs and more jobs wait in the queue.
    const jobsOf = async () => {
      const { rows } = await sql<{ all: number; offered: number; queued: number }>`
          select count(*)::int as all,
                 count(*) filter (where job.state = 'offered' and device.agent_id = ${movingAgent})::int as offered,
                 count(*) filter (where job.state = 'queued')::int as queued
          from fleet.jobs as job left join fleet.devices as device on device.id = job.device_id
          where job.account_id = ${CUSTOMER}`.execute(database.db);
      return rows[0]!;
    };
    const allJobs = 2 + FUNDED_MESSAGES + FAILOVER_MESSAGES;
    for (let jobs = await jobsOf(); jobs.offered === 0 || jobs.queued === 0; jobs = await jobsOf()) {
      if (jobs.all === allJobs && jobs.queued === 0)
        throw new Error('the queue drained before fleet 0 could be killed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await runtime.stop('fleet', 'SIGKILL', 0);
    // What the dead replica left offered to its agent's phones: nobody but the next replica
    // the agent reaches can finish these.
    const { rows: orphaned } = await sql<{ message_id: string }>`
        select job.message_id from fleet.jobs as job join fleet.devices as device on device.id = job.device_id
        where job.state = 'offered' and device.agent_id = ${movingAgent}`.execute(database.db);
    expect(orphaned.length).toBeGreaterThan(0);

    expect(await notReadAfterWaiting(), 'messages of the customer not READ').toEqual([]);
    // The agent moved to fleet 1.
    expect(agentStreams().get(movingAgent)).toEqual([0, 1]);

    // Every message of the customer went through each status once and left a phone exactly once.
    const { rows: histories } = await sql<{ id: string; statuses: string[] }>`
        select message.id::text as id, array_agg(history.status order by history.at, history.recorded_at) as statuses
        from dispatch.messages as message join dispatch.status_history as history on history.message_id = message.id
        where message.account_id = ${CUSTOMER} group by message.id`.execute(database.db);
    expect(histories).toHaveLength(2 + FUNDED_MESSAGES + FAILOVER_MESSAGES);
    for (const history of histories) {
      expect(history.statuses, history.id).toEqual(['ACCEPTED', 'SENT', 'DELIVERED', 'READ']);
    }
    const sends = phoneSends();
    expect(histories.filter((history) => sends.get(history.id) !== 1).map((history) => history.id)).toEqual(
      [],
    );
    const orphanedIds = orphaned.map((row) => row.message_id);
    expect(orphanedIds.filter((id) => sends.get(id) !== 1)).toEqual([]);
    console.log(
      `replicas: fleet 0 killed with ${orphaned.length} jobs offered to ${movingAgent}'s phones; ` +
        `${histories.length} messages READ, each sent once`,
    );
  });
});
