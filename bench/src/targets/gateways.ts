/**
 * The gateway targets: as `npm start` runs it (in-memory PGlite, in-process bus) and on
 * production infrastructure (a fresh PostgreSQL database, dropped on stop, and a NATS
 * JetStream stream no other run uses). `priced` gives the demo account a price per message
 * and credit to pay it, so every request holds funds under a lock on the account's row, as a
 * paying tenant's requests do; unpriced, billing still reserves every message, at no cost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureKey, generateApiKey, grantCredit, PLATFORM_ACCOUNT_ID } from '@wagate/billing';
import { deleteJetStreamStream } from '@wagate/bus';
import { type EmbeddedGateway, type EmbeddedOptions, startEmbeddedGateway } from '@wagate/gateway';
import { freshPostgresUrl, isolatedBusNames, natsUrl } from '@wagate/testkit';
import type { RunningTarget } from '../target-child.js';
import { simDevices } from './sim-devices.js';

/** 0.50 RUB a text message; credit for far more messages than any run sends. */
export const BENCH_PRICE_MINOR = '50';
export const BENCH_CREDIT_MINOR = 1_000_000_000_000n;

/**
 * The runner SIGKILLs a target 10 s after SIGTERM; the database must be dropped before that,
 * even if the gateway is still busy closing (DROP … WITH (FORCE) ends its sessions anyway).
 */
const GATEWAY_STOP_DEADLINE_MS = 6_000;

export async function startEmbeddedTarget(options: { priced: boolean }): Promise<RunningTarget> {
  return start({}, options.priced);
}

/**
 * `internalTls: false` runs service-to-service gRPC in plaintext on loopback: only as the
 * baseline that shows what mutual TLS costs (every other target runs it, as production does).
 */
export async function startPostgresNatsTarget(options: {
  priced: boolean;
  internalTls?: boolean;
  /** Simulated phones that send the moment they get a job (instead of BENCH_SIM_DEVICES of the usual pace). */
  instantDevices?: number;
}): Promise<RunningTarget> {
  const database = await freshPostgresUrl();
  const busNames = isolatedBusNames();
  try {
    const target = await start(
      {
        databaseUrl: database.url,
        busUrl: natsUrl(),
        busNames,
        internalTls: options.internalTls ?? true,
        ...(options.instantDevices ? instant(options.instantDevices) : {}),
      },
      options.priced,
    );
    return {
      ...target,
      databaseUrl: database.url,
      ...(options.instantDevices ? { instantDevices: options.instantDevices } : {}),
      async stop() {
        try {
          await Promise.race([target.stop(), sleep(GATEWAY_STOP_DEADLINE_MS, undefined, { ref: false })]);
        } finally {
          await database.drop();
          await deleteJetStreamStream(natsUrl(), busNames.streamName);
        }
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/**
 * Phones that send as soon as a job reaches them, paced by nothing: what is measured from
 * acceptance to the device is the gateway's own path (queueing, offers, the agent's stream).
 */
function instant(devices: number): Partial<EmbeddedOptions> {
  return {
    simDevices: devices,
    simDriver: { sendDelayMs: { min: 0, max: 0 }, newContactSendDelayMs: { min: 0, max: 0 } },
    pacing: { newContactGapMs: 0, knownContactGapMs: 0, dailyNewContacts: 1_000_000_000, warmup: [] },
  };
}

async function start(options: Partial<EmbeddedOptions>, priced: boolean): Promise<RunningTarget> {
  const gateway = await startEmbeddedGateway({ port: 0, simDevices: simDevices(), ...options });
  if (priced) await price(gateway);
  // Templates are approved by the account's reseller or the platform: the runner gets a platform key.
  const supervisorKey = generateApiKey();
  await ensureKey(gateway.billing.db, PLATFORM_ACCOUNT_ID, supervisorKey, 'bench reviewer');
  return {
    url: gateway.url,
    apiKey: gateway.apiKey,
    accountId: gateway.accountId,
    supervisorKey,
    stop: () => gateway.stop(),
  };
}

async function price(gateway: EmbeddedGateway): Promise<void> {
  await gateway.billing.db
    .insertInto('prices')
    .values({ account_id: gateway.accountId, country: '*', kind: 'text', price_minor: BENCH_PRICE_MINOR })
    .execute();
  await grantCredit(gateway.billing.db, gateway.accountId, BENCH_CREDIT_MINOR, 'bench credit');
}
