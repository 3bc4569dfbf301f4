import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  billingKeyCache,
  connectPeers,
  createApiApp,
  invalidateOnAccessChanges,
  migrateApiSchema,
  type PeerAddresses,
} from '@wagate/api';
import {
  type BillingService,
  dispatchMessageFinder,
  ensureKey,
  type FindMessages,
  generateApiKey,
  migrateBillingSchema,
  PLATFORM_ACCOUNT_ID,
  startBilling,
} from '@wagate/billing';
import { type Bus, openBus } from '@wagate/bus';
import { type Database, openDatabase } from '@wagate/db';
import {
  createSimDrivers,
  createSimProvider,
  type SimDriver,
  type SimDriversOptions,
  startAgent,
} from '@wagate/device-agent';
import { embeddedSecretKeys, migrateDispatchSchema, type PolicySettings, startDispatch } from '@wagate/dispatch';
import { type FleetService, migrateFleetSchema, type PacingOptions, startFleet } from '@wagate/fleet';
import { createIdGenerator } from '@wagate/ids';
import {
  type AgentPlaneClientSecurity,
  type AgentPlaneServerSecurity,
  closeGrpcChannels,
  type GrpcServer,
  type InternalPlaneSecurity,
  type ServiceIdentity,
  type ServiceMount,
  startLoopbackGrpcServer,
} from '@wagate/rpc';
import { issueDevelopmentPki } from '@wagate/rpc/pki';
import { migrateTemplatesSchema, startTemplates } from '@wagate/templates';
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
  /** A bus per service instead of one shared bus (each its own NATS user: deploy/nats's permissions under test). */
  busFor?: (service: 'api' | 'billing' | 'templates' | 'dispatch' | 'fleet') => Promise<Bus>;
  port: number;
  host?: string;
  apiKey?: string;
  /** The demo's platform admin key (reviews the demo account's templates); made and kept like `apiKey`. */
  adminKey?: string;
  simDevices?: number;
  simSeed?: number;
  /** How the simulated phones behave (send and receipt delays, …); the sim driver's defaults otherwise. */
  simDriver?: Omit<SimDriversOptions, 'seed'>;
  demoSender?: string;
  /** Per-device pacing of the simulated phones; default DEMO_PACING. */
  pacing?: Partial<PacingOptions>;
  /**
   * Mutual TLS between the services and TLS to the agent, from a CA made in memory at this
   * start (default true): the same allow-lists as production. `false` is plaintext on loopback
   * (the benchmark's baseline for TLS's cost).
   */
  internalTls?: boolean;
  /** Dispatch policy (the account send rate, …); `npm start` reads it from the environment like dispatch does. */
  policy?: PolicySettings;
  /** The console's built files (WAGATE_CONSOLE_DIR); default apps/console/dist. */
  consoleDir?: string;
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
  /**
   * A key of the platform account above the demo account: what a newcomer needs to review
   * (approve) the demo account's templates, which an account's own key may not do.
   */
  adminKey: string;
  accountId: string;
  database: Database;
  bus: Bus;
  /** Billing's tables (ledger checks in tests, the CLI's work in demos). */
  billing: Pick<BillingService, 'db'>;
  /** Binding the simulated devices to another account's sender (tests and demos of sub-accounts). */
  fleet: Pick<FleetService, 'bindDevices'>;
  /** Where each service answers on the internal plane (loopback), e.g. for a second api replica in a test. */
  grpcAddresses: PeerAddresses;
  /** The internal-plane security a client acting as `identity` uses (its certificate), for tests. */
  internalPlaneFor(identity: ServiceIdentity): InternalPlaneSecurity;
  /** Fleet's agent plane (loopback), for a second agent in a test, with the security an agent needs. */
  agentPlane: { address: string; security: AgentPlaneClientSecurity };
  /**
   * An enrolment token of the demo account (made at this start, 100 uses, valid a day) for an
   * agent connecting to `agentPlane`, e.g. a second agent in a test.
   */
  enrolmentToken: string;
  /** The simulated phones, e.g. to make one receive a message in a demo or a test. */
  devices: ReadonlyArray<Pick<SimDriver, 'info' | 'inbound'>>;
  stop(): Promise<void>;
}

/**
 * Migrates the schema of every service the gateway runs, as each does when it starts: what a
 * test run's template database needs (`@wagate/testkit/global-setup/postgres-template`).
 */
export async function migrateEmbeddedSchemas(database: Database): Promise<void> {
  for (const migrate of [
    migrateApiSchema,
    migrateBillingSchema,
    migrateTemplatesSchema,
    migrateFleetSchema,
    migrateDispatchSchema,
  ]) {
    await migrate(database);
  }
}

/**
 * The whole gateway in one process: each service on its own gRPC server bound to loopback,
 * with its own certificate from a CA made at this start (the same code, the same gRPC calls and
 * the same allow-lists as production, only wired together here), fleet's agent plane on a
 * listener of its own, PGlite, the in-process bus, and simulated devices serving the demo sender.
 */
export async function startEmbeddedGateway(options: EmbeddedOptions): Promise<EmbeddedGateway> {
  const database = await openDatabase(
    options.databaseUrl ??
      (options.dataDir ? `pglite://${resolve(options.dataDir, 'pglite')}` : 'pglite://memory'),
  );
  const bus = await openBus(options.busUrl ?? 'memory://', options.busNames);
  const serviceBuses: Bus[] = [];
  const busOf = async (service: Parameters<NonNullable<EmbeddedOptions['busFor']>>[0]) => {
    if (!options.busFor) return bus;
    serviceBuses.push(await options.busFor(service));
    return serviceBuses.at(-1)!;
  };
  const planes = await embeddedPlanes(options.internalTls ?? true);
  const servers: GrpcServer[] = [];
  const listen = async (plane: 'internal' | 'agent', identity: ServiceIdentity, service: ServiceMount) => {
    const server =
      plane === 'internal'
        ? await startLoopbackGrpcServer(plane, [service], planes.internal(identity))
        : await startLoopbackGrpcServer(plane, [service], planes.agentServer);
    servers.push(server);
    return server.address;
  };

  await migrateApiSchema(database);
  // Billing's sweep asks dispatch which old reservations' messages it holds; dispatch starts later.
  let findInDispatch: FindMessages | undefined;
  const billing = await startBilling({
    database,
    bus: await busOf('billing'),
    unacceptedSweep: {
      findMessages: (ids) =>
        findInDispatch ? findInDispatch(ids) : Promise.reject(new Error('dispatch has not started yet')),
    },
  });
  const templates = await startTemplates({ database, bus: await busOf('templates') });
  const fleet = await startFleet({
    database,
    bus: await busOf('fleet'),
    scheduler: { pacing: options.pacing ?? DEMO_PACING },
  });
  const fleetAddress = await listen('internal', 'fleet', fleet.grpc);
  const agentAddress = await listen('agent', 'fleet', fleet.agentGrpc);
  // Demos and tests post callbacks to receivers on this machine; private networks stay refused.
  const dispatch = await startDispatch({
    database,
    bus: await busOf('dispatch'),
    fleetAddress,
    internalPlane: planes.internal('dispatch'),
    callbacks: { allowLoopback: true },
    // Kept in the data directory (mode 0600), so `npm start` needs no key and a restart still opens the secrets.
    secretKeys: embeddedSecretKeys(options.dataDir),
    ...(options.policy && { policy: options.policy }),
  });
  const grpcAddresses: PeerAddresses = {
    billing: await listen('internal', 'billing', billing.grpc),
    templates: await listen('internal', 'templates', templates.grpc),
    dispatch: await listen('internal', 'dispatch', dispatch.grpc),
    fleet: fleetAddress,
  };
  findInDispatch = dispatchMessageFinder(grpcAddresses.dispatch, planes.internal('billing'));

  const apiKey = options.apiKey ?? demoApiKey(options.dataDir, 'dev-api-key');
  const { accountId } = await billing.ensureDemoAccount(apiKey);
  const adminKey = options.adminKey ?? demoApiKey(options.dataDir, 'dev-admin-key');
  await ensureKey(billing.db, PLATFORM_ACCOUNT_ID, adminKey, 'demo platform admin');
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
  const drivers = createSimDrivers(options.simDevices ?? 3, {
    ...options.simDriver,
    seed: options.simSeed ?? 1,
  });
  const agent = startAgent({
    fleetAddress: agentAddress,
    fleetSecurity: planes.agentClient,
    agentId: 'embedded-agent',
    enrolmentToken: enrolment.secret,
    drivers,
    // The sim phones' VMs: restart, snapshot, install and screenshot commands work on `npm start`.
    vms: { provider: createSimProvider(drivers) },
  });

  // The api is the root app, so a path nobody serves gets its 404 in the contract's shape.
  const peers = connectPeers(grpcAddresses, planes.internal('api'));
  const keys = billingKeyCache(peers);
  const keyInvalidation = await invalidateOnAccessChanges(await busOf('api'), keys);
  const app = createApiApp({
    peers,
    keys,
    ids: createIdGenerator(0),
    database,
    // The demo inbox and test receivers are on loopback; private networks stay refused.
    outboundUrls: { callbacks: { allowLoopback: true }, media: { allowLoopback: true } },
    // The embedded gateway serves plain http on this machine: a Secure cookie would never be sent.
    sessions: { secureCookie: false },
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
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
    adminKey,
    accountId,
    database,
    bus,
    billing,
    fleet,
    grpcAddresses,
    internalPlaneFor: planes.internal,
    agentPlane: { address: agentAddress, security: planes.agentClient },
    enrolmentToken: enrolment.secret,
    devices: drivers,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await keyInvalidation.close();
      await agent.stop();
      await Promise.all(drivers.map((driver) => driver.close()));
      await Promise.all(servers.map((server) => server.shutdown()));
      await dispatch.stop();
      await fleet.stop();
      await templates.stop();
      await billing.stop();
      closeGrpcChannels();
      await Promise.all(serviceBuses.map((serviceBus) => serviceBus.close()));
      await bus.close();
      await database.close();
    },
  };
}

interface EmbeddedPlanes {
  internal(identity: ServiceIdentity): InternalPlaneSecurity;
  agentServer: AgentPlaneServerSecurity;
  agentClient: AgentPlaneClientSecurity;
}

/**
 * The embedded runtime's planes: a CA made in memory for this start (nothing to configure,
 * nothing written), one certificate per service; or, when asked, plaintext on loopback.
 */
async function embeddedPlanes(tls: boolean): Promise<EmbeddedPlanes> {
  if (!tls) {
    const insecure = { mode: 'insecure-loopback' } as const;
    return { internal: () => insecure, agentServer: insecure, agentClient: insecure };
  }
  const pki = await issueDevelopmentPki({ validDays: 30, caName: 'wagate embedded' });
  const byIdentity = new Map<ServiceIdentity, InternalPlaneSecurity>();
  return {
    internal(identity) {
      // One object per identity: the client channel cache is keyed by it.
      const security: InternalPlaneSecurity = byIdentity.get(identity) ?? {
        mode: 'mutual-tls-pem',
        ca: pki.internalCa.cert,
        ...pki.services[identity],
      };
      byIdentity.set(identity, security);
      return security;
    },
    agentServer: { mode: 'tls-pem', ...pki.agentPlane },
    agentClient: { mode: 'tls-pem', ca: pki.agentCa.cert },
  };
}

/**
 * A demo key (`dev-api-key` the tenant's, `dev-admin-key` the platform admin's): the option
 * (`WAGATE_DEV_API_KEY`, `WAGATE_DEV_ADMIN_KEY`) wins; otherwise one is made on first start and
 * kept in the data directory (mode 0600), so the same key works after a restart.
 */
function demoApiKey(dataDir: string | undefined, fileName: string): string {
  if (!dataDir) return generateApiKey();
  const file = join(dataDir, fileName);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = generateApiKey();
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}
