import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  billingKeyCache,
  connectPeers,
  createApiApp,
  invalidateOnAccessChanges,
  migrateApiSchema,
} from '@wagate/api';
import { type BillingService, dispatchMessageFinder, generateApiKey, startBilling } from '@wagate/billing';
import { openBus, type Bus } from '@wagate/bus';
import { type Database, openDatabase } from '@wagate/db';
import { createSimDrivers, type SimDriver, startAgent } from '@wagate/device-agent';
import { startDispatch } from '@wagate/dispatch';
import { type FleetService, type PacingOptions, startFleet } from '@wagate/fleet';
import { createIdGenerator } from '@wagate/ids';
import { closeGrpcChannels, freePort, startGrpcServer } from '@wagate/rpc';
import { startTemplates } from '@wagate/templates';
import { createDevInbox, serve } from './dev-inbox.js';

export interface EmbeddedOptions {
  /** Directory for PGlite's files; `undefined` keeps the database in memory (tests). */
  dataDir?: string;
  /** Overrides the database (e.g. a real Postgres in tests); default PGlite under dataDir. */
  databaseUrl?: string;
  /** Overrides the bus (e.g. nats://…); default the in-process bus. */
  busUrl?: string;
  /** JetStream stream and subject prefix when `busUrl` is NATS. */
  busNames?: { streamName: string; subjectPrefix: string };
  port: number;
  host?: string;
  apiKey?: string;
  simDevices?: number;
  simSeed?: number;
  demoSender?: string;
  /** Per-device pacing of the simulated phones; default DEMO_PACING. */
  pacing?: Partial<PacingOptions>;
}

/**
 * Simulated phones cannot be banned: the demo paces them visibly but fast, so a demo or a
 * test does not wait 5 s per new contact. Real numbers get fleet's defaults (docs/pacing.md).
 */
export const DEMO_PACING: Partial<PacingOptions> = {
  newContactGapMs: 100,
  knownContactGapMs: 50,
  dailyNewContacts: 1_000_000,
  warmup: [],
};

export interface EmbeddedGateway {
  url: string;
  apiKey: string;
  accountId: string;
  database: Database;
  bus: Bus;
  /** Billing's tables (ledger checks in tests, the CLI's work in demos). */
  billing: Pick<BillingService, 'db'>;
  /** Binding the simulated devices to another account's sender (tests and demos of sub-accounts). */
  fleet: Pick<FleetService, 'bindDevices'>;
  /** Where every service answers gRPC (loopback), e.g. for a second api replica in a test. */
  grpcAddress: string;
  /**
   * An enrolment token of the demo account (made at this start, 100 uses, valid a day) for an
   * agent connecting to `grpcAddress`, e.g. a second agent in a test.
   */
  enrolmentToken: string;
  /** The simulated phones, e.g. to make one receive a message in a demo or a test. */
  devices: ReadonlyArray<Pick<SimDriver, 'info' | 'inbound'>>;
  stop(): Promise<void>;
}

/**
 * The whole gateway in one process: every service on one gRPC server bound to loopback (the
 * same code and the same gRPC calls as production, only wired together here), PGlite, the
 * in-process bus, and simulated devices serving the demo sender.
 */
export async function startEmbeddedGateway(options: EmbeddedOptions): Promise<EmbeddedGateway> {
  const database = await openDatabase(
    options.databaseUrl ??
      (options.dataDir ? `pglite://${resolve(options.dataDir, 'pglite')}` : 'pglite://memory'),
  );
  const bus = await openBus(options.busUrl ?? 'memory://', options.busNames);
  const grpcPort = await freePort();
  const grpcAddress = `127.0.0.1:${grpcPort}`;

  await migrateApiSchema(database);
  const billing = await startBilling({
    database,
    bus,
    unacceptedSweep: { findMessages: dispatchMessageFinder(grpcAddress) },
  });
  const templates = await startTemplates({ database, bus });
  const fleet = await startFleet({ database, bus, scheduler: { pacing: options.pacing ?? DEMO_PACING } });
  // Demos and tests post callbacks to receivers on this machine; private networks stay refused.
  const dispatch = await startDispatch({
    database,
    bus,
    fleetAddress: grpcAddress,
    callbacks: { allowLoopback: true },
  });
  const grpc = await startGrpcServer({
    host: '127.0.0.1',
    port: grpcPort,
    services: [billing.grpc, templates.grpc, dispatch.grpc, ...fleet.grpc],
  });

  const apiKey = options.apiKey ?? demoApiKey(options.dataDir);
  const { accountId } = await billing.ensureDemoAccount(apiKey);
  await fleet.ensureDefaultSender(accountId, options.demoSender ?? 'MyCompany');

  // The in-process agent enrols like any other, with a token of the demo account made for
  // this start (also handed out as `enrolmentToken`, for a second agent in a test or demo);
  // its credential lives in memory, so the next start enrols again.
  const enrolment = await fleet.createEnrolmentToken({
    accountId,
    maxUses: 100,
    expiresAtMs: String(Date.now() + 24 * 60 * 60_000),
    sender: '',
    createdByAccountId: accountId,
  });
  const drivers = createSimDrivers(options.simDevices ?? 3, { seed: options.simSeed ?? 1 });
  const agent = startAgent({
    fleetAddress: grpcAddress,
    agentId: 'embedded-agent',
    enrolmentToken: enrolment.secret,
    drivers,
  });

  // The api is the root app, so a path nobody serves gets its 404 in the contract's shape.
  const peers = connectPeers({
    billing: grpcAddress,
    templates: grpcAddress,
    dispatch: grpcAddress,
    fleet: grpcAddress,
  });
  const keys = billingKeyCache(peers);
  const keyInvalidation = await invalidateOnAccessChanges(bus, keys);
  const app = createApiApp({
    peers,
    keys,
    ids: createIdGenerator(0),
    database,
    // The demo inbox and test receivers are on loopback; private networks stay refused.
    outboundUrls: { allowLoopback: true },
  });
  app.route('/', createDevInbox().app);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const server = serve({ fetch: app.fetch, hostname: host, port: options.port }, (info) =>
        resolve({ server, port: info.port }),
      );
    },
  );

  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    apiKey,
    accountId,
    database,
    bus,
    billing,
    fleet,
    grpcAddress,
    enrolmentToken: enrolment.secret,
    devices: drivers,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await keyInvalidation.close();
      await agent.stop();
      await Promise.all(drivers.map((driver) => driver.close()));
      await grpc.shutdown();
      await dispatch.stop();
      await fleet.stop();
      await templates.stop();
      await billing.stop();
      closeGrpcChannels();
      await bus.close();
      await database.close();
    },
  };
}

/**
 * The demo key: `WAGATE_DEV_API_KEY` wins; otherwise one is made on first start and kept in
 * the data directory (mode 0600), so the same key works after a restart.
 */
function demoApiKey(dataDir: string | undefined): string {
  if (!dataDir) return generateApiKey();
  const file = join(dataDir, 'dev-api-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = generateApiKey();
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
