/**
 * `npm run bench:billing`: the money path alone. 1 000 tenants under 10 resellers under the
 * platform reserve through billing's gRPC service (its own process, on a fresh PostgreSQL
 * database), then every reserved message is settled through the bus as dispatch settles it
 * (`message.status` on a NATS JetStream stream: SENT captures, FAILED releases). Reports
 * reserves/s (1-message and 100-message requests), captures/s, and how often the platform's
 * and the resellers' rows are written, and checks the ledger afterwards. See bench/README.md.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  ensureChildAccount,
  ensurePlatform,
  grantCredit,
  migrateBillingSchema,
  PLATFORM_ACCOUNT_ID,
} from '@wagate/billing';
import { getBalance, ledgerProblems, rollUpBalances } from '@wagate/billing/testing';
import type { BillingTables } from '@wagate/billing/testing';
import { deleteJetStreamStream, openBus } from '@wagate/bus';
import { billing, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { openPostgres, withSchema } from '@wagate/db';
import { closeGrpcChannels, grpcClient, PLAINTEXT_LOOPBACK } from '@wagate/rpc';
import { freshPostgresUrl, isolatedBusNames, natsUrl } from '@wagate/testkit';
import { postgresCpuBetween, serviceCpuProbe } from './service-cpu.js';
import { type Kysely, sql } from 'kysely';
import { procCpuSeconds } from './cpu.js';

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const SECONDS = setting('BENCH_BILLING_SECONDS', 8);
const CONCURRENCY = setting('BENCH_BILLING_CONCURRENCY', 64);
const REPLICAS = setting('BENCH_BILLING_REPLICAS', 1);
const MAX_MESSAGES = setting('BENCH_BILLING_MESSAGES', 200_000);
const TENANTS = 1_000;
const RESELLERS = 10;
/** What a customer pays its reseller, and what a reseller pays the platform. */
const CUSTOMER_PRICE = 100n;
const RESELLER_PRICE = 70n;
/** One reseller sells below its cost: it holds the difference on every message of its customers. */
const LOSS_LEADER_PRICE = 120n;
const SETTLE_DEADLINE_MS = 60_000;
/** A commit whose billing to measure instead of this tree's (the "before" of bench/README.md). */
const BASELINE = process.env.BENCH_BILLING_BASELINE;
/** Out of ten settled messages, this many are SENT (captured); the rest FAILED (released). */
const SENT_OF_TEN = 9;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const resellerId = (r: number) => `acc_bench_reseller_${r}`;
const tenantId = (t: number) => `acc_bench_tenant_${String(t).padStart(4, '0')}`;

interface Replica {
  address: string;
  pid: number;
  child: ChildProcess;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/src/billing/replica.ts'], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`billing replica exited with code ${code}`)));
    lines.on('line', (line) => {
      if (!line.startsWith('{"ready"')) return;
      const ready = JSON.parse(line) as { address: string; pid: number };
      resolve({ ...ready, child });
    });
  });
}

async function stopReplica(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = new Promise((resolve) => replica.child.once('exit', resolve));
  replica.child.kill('SIGTERM');
  const forced = setTimeout(() => replica.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}

/** The tree: the platform, 10 resellers, 1 000 tenants (100 under each reseller), all funded. */
async function seed(db: Kysely<BillingTables>): Promise<void> {
  await ensurePlatform(db);
  for (let r = 0; r < RESELLERS; r++) {
    await ensureChildAccount(db, {
      id: resellerId(r),
      name: `Reseller ${r}`,
      parentId: PLATFORM_ACCOUNT_ID,
      kind: 'reseller',
    });
  }
  for (let t = 0; t < TENANTS; t++) {
    await ensureChildAccount(db, {
      id: tenantId(t),
      name: `Tenant ${t}`,
      parentId: resellerId(t % RESELLERS),
      kind: 'customer',
    });
  }
  await db
    .insertInto('prices')
    .values([
      ...Array.from({ length: RESELLERS }, (_, r) => ({
        account_id: resellerId(r),
        country: '*',
        kind: 'text',
        price_minor: String(r === 0 ? LOSS_LEADER_PRICE : RESELLER_PRICE),
      })),
      ...Array.from({ length: TENANTS }, (_, t) => ({
        account_id: tenantId(t),
        country: '*',
        kind: 'text',
        price_minor: String(CUSTOMER_PRICE),
      })),
    ])
    .execute();
  const credit = 1_000_000_000_000n;
  await grantCredit(db, resellerId(0), credit, 'bench credit');
  for (let t = 0; t < TENANTS; t += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, TENANTS - t) }, (_, i) =>
        grantCredit(db, tenantId(t + i), credit, 'bench credit'),
      ),
    );
  }
}

/**
 * Counts every write of an ancestor's row (platform, resellers) with a trigger into an unlogged
 * table of the bench's database: an independent witness of how hot those rows are.
 */
async function watchAncestorWrites(db: Kysely<BillingTables>): Promise<void> {
  await sql`create unlogged table public.bench_ancestor_writes (account_id text not null, at timestamptz not null default clock_timestamp())`.execute(
    db,
  );
  await sql`
    create function public.bench_count_ancestor_write() returns trigger language plpgsql as $$
    begin insert into public.bench_ancestor_writes (account_id) values (new.id); return new; end $$
  `.execute(db);
  await sql`
    create trigger bench_ancestor_writes after update on billing.accounts
    for each row when (new.kind <> 'customer') execute function public.bench_count_ancestor_write()
  `.execute(db);
}

async function ancestorWrites(db: Kysely<BillingTables>, from: Date, to: Date, seconds: number) {
  const { rows } = await sql<{ account_id: string; writes: number }>`
    select account_id, count(*)::int as writes from public.bench_ancestor_writes
    where at >= ${from} and at < ${to} group by account_id
  `.execute(db);
  const platform = rows.find((row) => row.account_id === PLATFORM_ACCOUNT_ID)?.writes ?? 0;
  const resellers = rows.filter((row) => row.account_id !== PLATFORM_ACCOUNT_ID);
  const lossLeader = resellers.find((row) => row.account_id === resellerId(0))?.writes ?? 0;
  const others = resellers.filter((row) => row.account_id !== resellerId(0)).map((row) => row.writes);
  const perSecond = (writes: number) => Math.round((writes / seconds) * 10) / 10;
  return {
    platformPerSecond: perSecond(platform),
    /** The busiest reseller that earns a margin (its row is only written by the roll-up). */
    marginResellerMaxPerSecond: perSecond(Math.max(0, ...others)),
    /** The reseller selling below cost: its holds are exact, so its row is written with its customers' messages. */
    lossLeaderPerSecond: perSecond(lossLeader),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

async function main() {
  const database = await freshPostgresUrl();
  const busNames = isolatedBusNames();
  const pool = openPostgres(database.url, { maxConnections: 4 });
  const db = withSchema<BillingTables>(pool, 'billing');
  const replicas: Replica[] = [];
  let source: string | undefined;
  if (BASELINE) {
    // The baseline's billing and workspace packages, inside this tree so third-party imports
    // resolve to the same node_modules, with its own node_modules/@wagate/* pointing at its packages.
    const root = `${repoRoot}bench/.baseline/${BASELINE}`;
    rmSync(root, { recursive: true, force: true });
    mkdirSync(`${root}/node_modules/@wagate`, { recursive: true });
    execSync(`git archive ${BASELINE} apps/billing packages | tar -x -C ${root}`, { cwd: repoRoot });
    for (const dir of readdirSync(`${root}/packages`)) {
      const manifest = `${root}/packages/${dir}/package.json`;
      if (!existsSync(manifest)) continue;
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
      symlinkSync(`${root}/packages/${dir}`, `${root}/node_modules/${name}`);
    }
    source = `${root}/apps/billing/src`;
  }
  try {
    if (!BASELINE) await migrateBillingSchema(pool);
    for (let i = 0; i < REPLICAS; i++) {
      replicas.push(
        await startReplica({
          DATABASE_URL: database.url,
          NATS_URL: natsUrl(),
          NATS_STREAM: busNames.streamName,
          NATS_SUBJECT_PREFIX: busNames.subjectPrefix,
          ...(source ? { BENCH_BILLING_SOURCE: source } : {}),
        }),
      );
    }
    // A baseline from before unrolled postings has none: an empty table keeps the same checks.
    if (BASELINE) {
      await sql`create table if not exists billing.unrolled_postings (id bigserial primary key, account_id text not null, amount_minor bigint not null)`.execute(
        db,
      );
    }
    await seed(db);
    await watchAncestorWrites(db);
    const clients = replicas.map((replica) =>
      grpcClient(billing.BillingServiceDefinition, replica.address, PLAINTEXT_LOOPBACK),
    );
    const bus = await openBus(natsUrl(), busNames);
    const replicaCpu = () => replicas.reduce((sum, replica) => sum + (procCpuSeconds(replica.pid) ?? 0), 0);
    // PostgreSQL's CPU for this database: its backends' (the replicas' pools keep them open).
    const postgres = await serviceCpuProbe(undefined, database.url);
    const cpuPerMessage = (seconds: number, messages: number) =>
      messages === 0 ? null : Math.round(((1000 * seconds) / messages) * 1000) / 1000;

    let nextMessageId = BigInt(Date.now()) * 1_000_000n;
    const reserved: string[] = [];
    let call = 0;

    const reservePhase = async (perRequest: number, connections: number) => {
      const latencies: number[] = [];
      let messages = 0;
      let refused = 0;
      const cpuBefore = replicaCpu();
      const postgresBefore = await postgres.sample();
      const began = performance.now();
      const from = new Date();
      const deadline = began + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < deadline && reserved.length < MAX_MESSAGES) {
            const n = call++;
            const accountId = tenantId(n % TENANTS);
            const items = Array.from({ length: perRequest }, () => ({
              messageId: String(nextMessageId++),
              recipient: '79034567890',
              kind: 'text',
              sender: 'Bench',
              templateCategory: '',
            }));
            const start = performance.now();
            const { results } = await clients[n % clients.length]!.reserve({ accountId, items });
            latencies.push(performance.now() - start);
            for (const result of results) {
              if (result.reserved) reserved.push(result.messageId);
              else refused++;
            }
            messages += results.length;
          }
        }),
      );
      const seconds = (performance.now() - began) / 1000;
      const replicaSeconds = replicaCpu() - cpuBefore;
      const postgresSeconds = postgresCpuBetween(postgresBefore, await postgres.sample());
      latencies.sort((a, b) => a - b);
      return {
        perRequest,
        connections,
        seconds: Math.round(seconds * 10) / 10,
        reservesPerSecond: Math.round(messages / seconds),
        refused,
        latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
        replicaCpuPercent: Math.round((100 * replicaSeconds) / seconds),
        cpuMsPerMessage: {
          billing: cpuPerMessage(replicaSeconds, messages),
          postgres: cpuPerMessage(postgresSeconds, messages),
        },
        ancestorWrites: await ancestorWrites(db, from, new Date(), seconds),
      };
    };

    const openCount = async () =>
      Number(
        (
          await db
            .selectFrom('reservations')
            .select((eb) => eb.fn.countAll<string>().as('open'))
            .where('state', '=', 'reserved')
            .executeTakeFirstOrThrow()
        ).open,
      );

    const settlePhase = async () => {
      const toSettle = [...reserved];
      const cpuBefore = replicaCpu();
      const postgresBefore = await postgres.sample();
      const began = performance.now();
      const from = new Date();
      let published = 0;
      let publishSeconds = 0;
      const publishing = (async () => {
        const inFlight = new Set<Promise<unknown>>();
        for (const [index, messageId] of toSettle.entries()) {
          const status = index % 10 < SENT_OF_TEN ? 'SENT' : 'FAILED';
          const event: MessageStatusEvent = {
            messageId,
            accountId: '',
            status,
            errorCode: status === 'SENT' ? 0 : 2313,
            atMs: Date.now(),
            source: 'bench',
          };
          const publish = bus
            .publish({
              topic: Topics.messageStatus,
              id: `${messageId}:${status}`,
              key: messageId,
              data: event,
            })
            .then(() => {
              published++;
              inFlight.delete(publish);
            });
          inFlight.add(publish);
          if (inFlight.size >= 1_000) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        publishSeconds = (performance.now() - began) / 1000;
      })();
      let open = await openCount();
      while (open > 0 && performance.now() - began < SETTLE_DEADLINE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        open = await openCount();
      }
      const seconds = (performance.now() - began) / 1000;
      const replicaSeconds = replicaCpu() - cpuBefore;
      const postgresSeconds = postgresCpuBetween(postgresBefore, await postgres.sample());
      await publishing;
      const settled = toSettle.length - open;
      const captured = Math.round(settled * (SENT_OF_TEN / 10));
      return {
        messages: toSettle.length,
        settled,
        unsettledAtDeadline: open,
        seconds: Math.round(seconds * 10) / 10,
        settledPerSecond: Math.round(settled / seconds),
        capturesPerSecond: Math.round(captured / seconds),
        publishedPerSecond: Math.round(published / Math.max(publishSeconds, 0.001)),
        replicaCpuPercent: Math.round((100 * replicaSeconds) / seconds),
        cpuMsPerMessage: {
          billing: cpuPerMessage(replicaSeconds, settled),
          postgres: cpuPerMessage(postgresSeconds, settled),
        },
        ancestorWrites: await ancestorWrites(db, from, new Date(), seconds),
      };
    };

    // A short warm-up (connections, prepared plans), not counted.
    await Promise.all(clients.map((client, i) => client.reserve({ accountId: tenantId(i), items: [] })));
    const single = await reservePhase(1, CONCURRENCY);
    const batched = await reservePhase(100, Math.max(4, CONCURRENCY / 4));
    const settling = await settlePhase();

    // Replicas stop first (a baseline may still be settling at the deadline), then the ledger
    // must balance, with the roll-up's work done or not.
    await Promise.all(replicas.map(stopReplica));
    const problemsBeforeRollUp = await ledgerProblems(db);
    await rollUpBalances(db);
    const problems = await ledgerProblems(db);
    const platform = await getBalance(db, { accountId: PLATFORM_ACCOUNT_ID });
    const paidToPlatform = await sql<{ paid: string }>`
      select coalesce(sum(amount_minor), 0)::bigint as paid from billing.ledger_entries
      where account_id = ${PLATFORM_ACCOUNT_ID} and kind = 'charge'
    `.execute(db);

    const commit = execSync('git rev-parse --short HEAD', { cwd: repoRoot }).toString().trim();
    const dirty =
      execSync('git status --porcelain -- apps packages', { cwd: repoRoot }).toString().trim() !== '';
    const report = {
      at: new Date().toISOString(),
      commit: BASELINE ?? (dirty ? `${commit}+changes` : commit),
      baseline: BASELINE !== undefined,
      loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
      settings: {
        seconds: SECONDS,
        concurrency: CONCURRENCY,
        replicas: REPLICAS,
        tenants: TENANTS,
        resellers: RESELLERS,
      },
      reserve1: single,
      reserve100: batched,
      settle: settling,
      ledger: {
        problemsBeforeRollUp,
        problems,
        platformBalanceMinor: platform.balanceMinor,
        platformPaidMinor: paidToPlatform.rows[0]?.paid,
      },
    };
    console.log(JSON.stringify(report, null, 2));
    const dir = `${repoRoot}bench/results`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}/billing-${report.at.replace(/:/g, '-')}${BASELINE ? `-baseline-${BASELINE}` : ''}.json`,
      `${JSON.stringify(report, null, 2)}\n`,
    );
    if (!BASELINE) writeFileSync(`${dir}/billing-latest.json`, `${JSON.stringify(report, null, 2)}\n`);
    await postgres.close();
    await bus.close();
    closeGrpcChannels();
  } finally {
    await Promise.all(replicas.map(stopReplica));
    await pool.close();
    await database.drop();
    await deleteJetStreamStream(natsUrl(), busNames.streamName).catch(() => {});
  }
}

await main();
