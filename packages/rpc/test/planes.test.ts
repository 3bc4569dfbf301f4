import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billing, fleet } from '@wagate/contracts';
import { ConfigError, readConfig } from '@wagate/config';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import {
  type AccessTable,
  type AgentPlaneClientSecurity,
  agentPlaneClient,
  closeGrpcChannels,
  type GrpcServer,
  grpcClient,
  InsecureAddressError,
  type InternalPlaneSecurity,
  mount,
  mountForAgents,
  PLAINTEXT_LOOPBACK,
  internalPlaneVariables,
  readInternalPlaneSecurity,
  type ServiceIdentity,
  ServerError,
  Status,
  startGrpcServer,
} from '../src/index.js';
import { type DevelopmentPki, internalPlaneEnvironment, issueDevelopmentPki, writeDevelopmentPki } from '../src/pki.js';

const pki = await issueDevelopmentPki({ validDays: 1 });
const foreign = await issueDevelopmentPki({ validDays: 1, caName: 'someone else' });

const servers: GrpcServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.shutdown()));
  closeGrpcChannels();
});
afterAll(() => closeGrpcChannels());

const asService = (from: DevelopmentPki, identity: ServiceIdentity): InternalPlaneSecurity => ({
  mode: 'mutual-tls-pem',
  ca: pki.internalCa.cert,
  ...from.services[identity],
});

/** A billing stand-in that answers GetBalance; only the api may call it. */
function balanceOnly(): ReturnType<typeof mount> {
  const unimplemented = async () => {
    throw new ServerError(Status.UNIMPLEMENTED, 'not here');
  };
  const implementation = Object.fromEntries(
    Object.keys(billing.BillingServiceDefinition.methods).map((name) => [name, unimplemented]),
  ) as unknown as billing.BillingServiceImplementation;
  implementation.getBalance = async () => ({ accountId: 'acc_1', currency: 'RUB', balanceMinor: '42', reservedMinor: '0' }) as never;
  const nobody = Object.fromEntries(Object.keys(billing.BillingServiceDefinition.methods).map((name) => [name, []]));
  const access = { ...nobody, getBalance: ['api'] } as unknown as AccessTable<typeof billing.BillingServiceDefinition>;
  return mount(billing.BillingServiceDefinition, implementation, access);
}

async function billingServer(security: InternalPlaneSecurity): Promise<string> {
  const server = await startGrpcServer({ plane: 'internal', host: '127.0.0.1', port: 0, services: [balanceOnly()], security });
  servers.push(server);
  return server.address;
}

async function code(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    return Status[(error as { code: Status }).code] ?? String(error);
  }
}

const balanceOf = (address: string, security: InternalPlaneSecurity) =>
  code(grpcClient(billing.BillingServiceDefinition, address, security).getBalance({ accountId: 'acc_1' }));

describe('the internal plane: mutual TLS and a per-method allow-list', () => {
  test('the identity the table names may call; another service of the same CA is denied; a foreign CA cannot connect', async () => {
    const address = await billingServer(asService(pki, 'billing'));
    expect(await balanceOf(address, asService(pki, 'api'))).toBe('OK');
    expect(await balanceOf(address, asService(pki, 'templates'))).toBe('PERMISSION_DENIED');
    // A method nobody is listed for is refused even to the api.
    const api = grpcClient(billing.BillingServiceDefinition, address, asService(pki, 'api'));
    expect(await code(api.createKey({ actorAccountId: 'a', accountId: 'b', name: 'k', scopes: [] }))).toBe('PERMISSION_DENIED');
    // "api" signed by another CA: the handshake fails before any method.
    expect(await balanceOf(address, { mode: 'mutual-tls-pem', ca: pki.internalCa.cert, ...foreign.services.api })).toBe(
      'UNAVAILABLE',
    );
    // No certificate at all.
    expect(await balanceOf(address, PLAINTEXT_LOOPBACK)).toBe('UNAVAILABLE');
  });

  test('a client accepts only the service it means to call: a templates certificate cannot stand in for billing', async () => {
    const impostor = await billingServer(asService(pki, 'templates'));
    expect(await balanceOf(impostor, asService(pki, 'api'))).toBe('UNAVAILABLE');
  });

  test('certificates are read again from their files: a rotated certificate and CA are used without a restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'rotation-'));
    writeDevelopmentPki(directory, pki);
    const files = (identity: ServiceIdentity) => {
      const env = internalPlaneEnvironment(directory, identity);
      return { caFile: env.WAGATE_TLS_CA_FILE!, certFile: env.WAGATE_TLS_CERT_FILE!, keyFile: env.WAGATE_TLS_KEY_FILE! };
    };
    const next = await issueDevelopmentPki({ validDays: 1, caName: 'next year' });
    // During a CA rotation every party trusts both CAs.
    writeFileSync(files('billing').caFile, pki.internalCa.cert + next.internalCa.cert);
    const address = await billingServer({ mode: 'mutual-tls', files: files('billing'), refreshMs: 100 });
    const oldApi: InternalPlaneSecurity = { mode: 'mutual-tls-pem', ca: pki.internalCa.cert + next.internalCa.cert, ...pki.services.api };
    expect(await balanceOf(address, oldApi)).toBe('OK');

    // Billing's certificate is replaced by one of the new CA, in place.
    writeFileSync(files('billing').certFile, next.services.billing.cert);
    writeFileSync(files('billing').keyFile, next.services.billing.key);
    const newApiOnly: InternalPlaneSecurity = { mode: 'mutual-tls-pem', ca: next.internalCa.cert, ...next.services.api };
    await expect.poll(() => balanceOf(address, { ...newApiOnly }), { timeout: 30_000, interval: 200 }).toBe('OK');
  });

  test('without TLS, listeners and peers are loopback only', async () => {
    await expect(
      startGrpcServer({ plane: 'internal', host: '0.0.0.0', port: 0, services: [balanceOnly()], security: PLAINTEXT_LOOPBACK }),
    ).rejects.toThrow(InsecureAddressError);
    expect(() => grpcClient(billing.BillingServiceDefinition, '10.1.2.3:50051', PLAINTEXT_LOOPBACK)).toThrow(/not a loopback address/);
    const address = await billingServer(PLAINTEXT_LOOPBACK);
    expect(await balanceOf(address, PLAINTEXT_LOOPBACK)).toBe('OK');
  });

  test('an agent-plane service cannot be mounted on the internal plane', async () => {
    const gateway = mountForAgents(fleet.AgentGatewayServiceDefinition, {} as fleet.AgentGatewayServiceImplementation);
    await expect(
      startGrpcServer({ plane: 'internal', host: '127.0.0.1', port: 0, services: [gateway], security: asService(pki, 'fleet') }),
    ).rejects.toThrow(/agent plane/);
  });
});

describe('the agent plane: TLS to the server, verified against the agent CA', () => {
  async function agentServer(): Promise<string> {
    const gateway = mountForAgents(fleet.AgentGatewayServiceDefinition, {
      async *connect() {
        yield { kind: { $case: 'welcome', value: { devices: [], credential: 'c' } } } as fleet.FleetMessage;
      },
    } as fleet.AgentGatewayServiceImplementation);
    const server = await startGrpcServer({
      plane: 'agent',
      host: '127.0.0.1',
      port: 0,
      services: [gateway],
      security: { mode: 'tls-pem', ...pki.agentPlane },
    });
    servers.push(server);
    return server.address;
  }

  async function firstMessage(address: string, security: AgentPlaneClientSecurity): Promise<string> {
    const client = agentPlaneClient(fleet.AgentGatewayServiceDefinition, address, security);
    async function* none(): AsyncIterable<fleet.AgentMessage> {}
    try {
      for await (const message of client.connect(none())) return message.kind?.$case ?? 'empty';
      return 'ended';
    } catch (error) {
      return Status[(error as { code: Status }).code] ?? String(error);
    }
  }

  test('an agent with the agent CA connects; one trusting another CA refuses the server', async () => {
    const address = await agentServer();
    expect(await firstMessage(address, { mode: 'tls-pem', ca: pki.agentCa.cert })).toBe('welcome');
    expect(await firstMessage(address, { mode: 'tls-pem', ca: foreign.agentCa.cert })).toBe('UNAVAILABLE');
    // The internal CA does not vouch for the agent plane either.
    expect(await firstMessage(address, { mode: 'tls-pem', ca: pki.internalCa.cert })).toBe('UNAVAILABLE');
  });
});

describe('configuration: production refuses to start without TLS material', () => {
  test('names the missing variables and the insecure escape hatch', () => {
    expect(() => readInternalPlaneSecurity('billing', readConfig(internalPlaneVariables, {}))).toThrow(ConfigError);
    expect(() => readInternalPlaneSecurity('billing', readConfig(internalPlaneVariables, {}))).toThrow(
      /WAGATE_TLS_CA_FILE, WAGATE_TLS_CERT_FILE, WAGATE_TLS_KEY_FILE.*WAGATE_INSECURE_PLAINTEXT_LOOPBACK=true/s,
    );
    expect(readInternalPlaneSecurity('billing', readConfig(internalPlaneVariables, { WAGATE_INSECURE_PLAINTEXT_LOOPBACK: 'true' }))).toEqual(PLAINTEXT_LOOPBACK);
  });

  test("refuses another service's certificate, so a mounted secret cannot give a process the wrong identity", () => {
    const directory = mkdtempSync(join(tmpdir(), 'identity-'));
    writeDevelopmentPki(directory, pki);
    expect(readInternalPlaneSecurity('billing', readConfig(internalPlaneVariables, internalPlaneEnvironment(directory, 'billing'))).mode).toBe('mutual-tls');
    expect(() => readInternalPlaneSecurity('billing', readConfig(internalPlaneVariables, internalPlaneEnvironment(directory, 'api')))).toThrow(
      /names "api", but this process is the billing service/,
    );
  });
});
