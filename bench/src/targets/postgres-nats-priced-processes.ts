/**
 * The paying target as production runs it: api, billing, templates, dispatch and fleet each a
 * process of its own (from source) on a fresh PostgreSQL database and NATS JetStream, mutual
 * TLS between them; no device agent. Beside `postgres-nats-priced` (the same services in one
 * process, one core at most) it shows what the machine's cores give when the services spread
 * over them. The runner counts the CPU of every service process (the target's process tree).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type BillingTables, fundedCustomer } from '@wagate/billing/testing';
import { deleteJetStreamStream } from '@wagate/bus';
import { openDatabase, withSchema } from '@wagate/db';
import { freshPostgresUrl, isolatedBusNames, natsUrl, startProductionRuntime } from '@wagate/testkit';
import { serveTarget } from '../target-child.js';
import { BENCH_CREDIT_MINOR, BENCH_PRICE_MINOR } from './gateways.js';

const ACCOUNT = 'acc_bench_customer';
const SENDER = 'MyCompany';
const SERVICES = ['billing', 'templates', 'fleet', 'dispatch', 'api'] as const;
/** The runner SIGKILLs a target 10 s after SIGTERM, which would leave its service processes running. */
const STOP_DEADLINE_MS = 7_000;

await serveTarget(async () => {
  const database = await freshPostgresUrl();
  const bus = isolatedBusNames();
  const apiKey = `wag_bench_${Date.now().toString(36)}_0123456789abcdef`;
  const runtime = await startProductionRuntime({
    databaseUrl: database.url,
    natsUrl: natsUrl(),
    bus,
    apiKey: 'wag_bench_platform_key_0123456789abcdef',
    enrolmentToken: 'bench-enrolment-token',
    extra: { fleet: { WAGATE_DEFAULT_ACCOUNT: ACCOUNT, WAGATE_DEFAULT_SENDER: SENDER } },
    services: SERVICES,
    readyTimeoutMs: 120_000,
  });
  const db = await openDatabase(database.url);
  try {
    const billing = withSchema<BillingTables>(db, 'billing');
    await fundedCustomer(billing, {
      customer: { id: ACCOUNT, name: 'Bench customer', textPriceMinor: BENCH_PRICE_MINOR, key: apiKey },
      creditMinor: BENCH_CREDIT_MINOR,
    });
  } catch (error) {
    await runtime.close();
    await database.drop();
    throw error;
  } finally {
    await db.close();
  }
  return {
    url: runtime.apiUrl,
    apiKey,
    accountId: ACCOUNT,
    databaseUrl: database.url,
    async stop() {
      try {
        const closed = await Promise.race([
          runtime.close().then(() => true),
          sleep(STOP_DEADLINE_MS, false, { ref: false }),
        ]);
        // Whatever has not stopped by then is killed: no service may outlive the target.
        if (!closed) await Promise.all(SERVICES.map((service) => runtime.stop(service, 'SIGKILL')));
      } finally {
        await database.drop();
        await deleteJetStreamStream(natsUrl(), bus.streamName);
      }
    },
  };
});
