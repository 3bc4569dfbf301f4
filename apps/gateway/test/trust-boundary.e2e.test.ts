import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { billing, dispatch, fleet, templates } from '@wagate/contracts';
import { type Database, openDatabase } from '@wagate/db';
import { type ProtoServiceDefinition, SERVICE_IDENTITIES, type ServiceIdentity } from '@wagate/rpc';
import { issueDevelopmentPki, PKI_FILES } from '@wagate/rpc/pki';
import {
  type CallbackReceiver,
  freshPostgresUrl,
  natsUrl,
  type ProductionRuntime,
  startCallbackReceiver,
  startProductionRuntime,
  startServiceProcess,
  testPkiDirectory,
} from '@wagate/testkit';
import { type Client, ClientError, createChannel, createClient, Status } from 'nice-grpc';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BILLING_ACCESS } from '@wagate/billing';
import { DISPATCH_ACCESS } from '@wagate/dispatch';
import { FLEET_ACCESS } from '@wagate/fleet';
import { TEMPLATES_ACCESS } from '@wagate/templates';
import { runSendScenario } from './send-scenario.js';

/**
 * The network is hostile: an attacker who reaches every gRPC port of a production runtime
 * (separate processes, mutual TLS inside, TLS to the agents) tries the methods that mint keys
 * and money, enrol devices and read other tenants' numbers. Every attempt is refused, and the
 * database is exactly as it was.
 */
const apiKey = 'wag_trust_boundary_key_0123456789';
let runtime: ProductionRuntime;
let receiver: CallbackReceiver;
let database: Database;
let pkiDirectory: string;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  runtime = await startProductionRuntime({ apiKey });
  database = await openDatabase(runtime.wiring.databaseUrl);
  pkiDirectory = await testPkiDirectory();
}, 180_000);

afterAll(async () => {
  await database?.close();
  await runtime?.close();
  await receiver?.close();
});

const pem = (name: string) => readFileSync(join(pkiDirectory, name));
/** The attacker checks no server name: only the server's refusal may stop the call. */
const anyServer = { checkServerIdentity: () => undefined };

function clientWith<D extends ProtoServiceDefinition>(definition: D, port: number, channelCredentials: ChannelCredentials): Client<D> {
  return createClient(definition, createChannel(`127.0.0.1:${port}`, channelCredentials));
}

/** The code a call ended with; 'OK' when it went through. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof ClientError) return Status[error.code];
    return `not a gRPC error: ${(error as Error).message}`;
  }
}

/** What an attacker could change: keys, money, reservations, enrolment tokens, devices, messages. */
async function sensitiveRowCounts(): Promise<Record<string, number>> {
  const tables = [
    'billing.api_keys',
    'billing.ledger_entries',
    'billing.reservations',
    'billing.accounts',
    'fleet.enrolment_tokens',
    'fleet.agents',
    'fleet.devices',
    'dispatch.messages',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ count: string }>`select count(*)::text as count from ${sql.raw(table)}`.execute(database.db);
    counts[table] = Number(rows[0]!.count);
  }
  return counts;
}

/** Each sensitive method with a VALID request: without the checks, each of these would succeed. */
function sensitiveCalls(port: ProductionRuntime['wiring']['ports'], channelCredentials: ChannelCredentials) {
  const billingClient = clientWith(billing.BillingServiceDefinition, port.billing, channelCredentials);
  const dispatchClient = clientWith(dispatch.DispatchServiceDefinition, port.dispatch, channelCredentials);
  const fleetClient = clientWith(fleet.FleetServiceDefinition, port.fleet, channelCredentials);
  return {
    CreateKey: () =>
      billingClient.createKey({ actorAccountId: 'acc_platform', accountId: 'acc_demo', name: 'stolen', scopes: ['manage'] }),
    TransferCredit: () =>
      billingClient.transferCredit({ actorAccountId: 'acc_platform', accountId: 'acc_demo', amountMinor: '100000000', memo: 'free money' }),
    Reserve: () =>
      billingClient.reserve({
        accountId: 'acc_demo',
        items: [{ messageId: '900000000000001', recipient: '79030000001', kind: 'text', sender: 'MyCompany', templateCategory: '' }],
      }),
    Accept: () =>
      dispatchClient.accept({
        accountId: 'acc_demo',
        messages: [
          {
            messageId: '900000000000002',
            accountId: 'acc_demo',
            sender: 'MyCompany',
            recipient: '79030000002',
            text: 'sent without paying',
            templateParams: {},
            validitySeconds: 0,
            acceptedAtMs: String(Date.now()),
          },
        ],
        failures: {},
        ancestorAccountIds: [],
      }),
    CreateEnrolmentToken: () =>
      fleetClient.createEnrolmentToken({
        accountId: 'acc_demo',
        maxUses: 10,
        expiresAtMs: String(Date.now() + 3_600_000),
        sender: 'MyCompany',
        createdByAccountId: 'acc_demo',
      }),
    ListDevices: () => fleetClient.listDevices({ accountIds: ['acc_demo'], limit: 100, cursor: '' }),
  };
}

type Attempts = Record<keyof ReturnType<typeof sensitiveCalls>, string>;

async function attempt(calls: ReturnType<typeof sensitiveCalls>): Promise<Attempts> {
  const results = {} as Attempts;
  for (const [name, call] of Object.entries(calls) as Array<[keyof Attempts, () => Promise<unknown>]>) {
    results[name] = await outcome(call());
  }
  return results;
}

describe('the trust boundary of a production runtime (TLS everywhere)', () => {
  test('the send scenario works over mutual TLS and the agent plane', async () => {
    await runSendScenario({ baseUrl: runtime.apiUrl, apiKey, receiver });
  });

  test('a plaintext client, a certificate of another CA and an agent reach no internal method; nothing changes', async () => {
    // A device host with a valid agent credential (enrolled with the runtime's token; that
    // enrolment is legitimate, so the database is looked at after it).
    const agentTls = credentials.createSsl(pem(PKI_FILES.agentCa));
    const credential = await enrolRogueAgent(agentTls);
    expect(credential).toMatch(/\S{16,}/);
    const before = await sensitiveRowCounts();
    const foreign = await issueDevelopmentPki({ caName: 'attacker', validDays: 1 });
    const foreignApi = credentials.createSsl(
      pem(PKI_FILES.internalCa),
      Buffer.from(foreign.services.api.key),
      Buffer.from(foreign.services.api.cert),
      anyServer,
    );

    // No TLS at all, and a certificate that says "api" but is signed by someone else: the
    // handshake itself fails, so no method is ever reached.
    for (const channelCredentials of [credentials.createInsecure(), foreignApi]) {
      const results = await attempt(sensitiveCalls(runtime.wiring.ports, channelCredentials));
      for (const code of Object.values(results)) expect(code).toBe('UNAVAILABLE');
    }

    // The agent tries the internal methods on its own plane (not served on that listener) and
    // on the internal ports (it has no service certificate).
    const onAgentPort = { ...runtime.wiring.ports, billing: runtime.wiring.ports.fleetAgents, dispatch: runtime.wiring.ports.fleetAgents, fleet: runtime.wiring.ports.fleetAgents };
    for (const code of Object.values(await attempt(sensitiveCalls(onAgentPort, agentTls)))) expect(code).toBe('UNIMPLEMENTED');
    const agentOnInternal = credentials.createSsl(pem(PKI_FILES.internalCa), null, null, anyServer);
    for (const code of Object.values(await attempt(sensitiveCalls(runtime.wiring.ports, agentOnInternal)))) {
      expect(code).toBe('UNAVAILABLE');
    }

    expect(await sensitiveRowCounts()).toEqual(before);
    // The enrolment token and the credential never appear in any process's log.
    const logs = [...runtime.processes.values()].flatMap((process) => process.output).join('\n');
    expect(logs).not.toContain(runtime.wiring.enrolmentToken);
    expect(logs).not.toContain(credential);
  });

  test('a valid certificate of a service that is not allowed gets PERMISSION_DENIED on every method it may not call, and a log line', async () => {
    const before = await sensitiveRowCounts();
    const serviceCredentials = (identity: ServiceIdentity) =>
      credentials.createSsl(pem(PKI_FILES.internalCa), pem(PKI_FILES.serviceKey(identity)), pem(PKI_FILES.serviceCert(identity)), anyServer);

    // The sensitive calls, with valid requests, from every service but the one allowed.
    const allowed: Record<keyof Attempts, ServiceIdentity> = {
      CreateKey: 'api',
      TransferCredit: 'api',
      Reserve: 'api',
      Accept: 'api',
      CreateEnrolmentToken: 'api',
      ListDevices: 'api',
    };
    for (const identity of SERVICE_IDENTITIES) {
      const calls = sensitiveCalls(runtime.wiring.ports, serviceCredentials(identity));
      for (const [method, call] of Object.entries(calls) as Array<[keyof Attempts, () => Promise<unknown>]>) {
        if (allowed[method] === identity) continue;
        expect({ identity, method, code: await outcome(call()) }).toEqual({ identity, method, code: 'PERMISSION_DENIED' });
      }
    }

    // Every other method of every service, from every identity its table does not list.
    const services = [
      { definition: billing.BillingServiceDefinition, port: runtime.wiring.ports.billing, access: BILLING_ACCESS },
      { definition: templates.TemplatesServiceDefinition, port: runtime.wiring.ports.templates, access: TEMPLATES_ACCESS },
      { definition: dispatch.DispatchServiceDefinition, port: runtime.wiring.ports.dispatch, access: DISPATCH_ACCESS },
      { definition: fleet.FleetServiceDefinition, port: runtime.wiring.ports.fleet, access: FLEET_ACCESS },
    ] as const;
    let refused = 0;
    for (const { definition, port, access } of services) {
      for (const identity of SERVICE_IDENTITIES) {
        const client = clientWith(definition as ProtoServiceDefinition, port, serviceCredentials(identity)) as unknown as Record<
          string,
          (request: object) => Promise<unknown>
        >;
        for (const method of Object.keys(definition.methods)) {
          const callers = (access as Record<string, readonly ServiceIdentity[]>)[method]!;
          if (callers.includes(identity)) continue;
          expect({ identity, method, code: await outcome(client[method]!({})) }).toEqual({ identity, method, code: 'PERMISSION_DENIED' });
          refused += 1;
        }
      }
    }
    expect(refused).toBeGreaterThan(150);

    expect(await sensitiveRowCounts()).toEqual(before);
    const billingLog = runtime.processes.get('billing')!.output.find(
      (line) => line.includes('internal gRPC call refused') && line.includes('"caller":"templates"') && line.includes('CreateKey'),
    );
    expect(billingLog).toMatch(/"peer":"127\.0\.0\.1:\d+"/);
  });

  test('the api itself still works: its certificate is allowed where it must be', async () => {
    const response = await fetch(`${runtime.apiUrl}/v1/balance`, { headers: { authorization: `Key ${apiKey}` } });
    expect(response.status).toBe(200);
  });
});

/** Enrols an agent of its own with the runtime's enrolment token; returns the credential fleet gives it. */
async function enrolRogueAgent(agentTls: ChannelCredentials): Promise<string> {
  const gateway = clientWith(fleet.AgentGatewayServiceDefinition, runtime.wiring.ports.fleetAgents, agentTls);
  const abort = new AbortController();
  async function* hello(): AsyncIterable<fleet.AgentMessage> {
    yield {
      kind: {
        $case: 'hello',
        value: {
          agentId: 'rogue-agent',
          enrolmentToken: runtime.wiring.enrolmentToken,
          credential: '',
          devices: [],
        },
      },
    };
    await new Promise((resolve) => abort.signal.addEventListener('abort', resolve));
  }
  try {
    for await (const message of gateway.connect(hello(), { signal: abort.signal })) {
      if (message.kind?.$case === 'welcome') return message.kind.value.credential;
    }
    throw new Error('the fleet ended the stream without a welcome');
  } finally {
    abort.abort();
  }
}

describe('safe defaults of a production process', () => {
  test('refuses to start without TLS material, naming the variables; the insecure setting binds loopback only', async () => {
    const database = await freshPostgresUrl();
    try {
      const base = { DATABASE_URL: database.url, NATS_URL: natsUrl(), GRPC_PORT: '0' };
      const withoutTls = startServiceProcess('billing', { ...base, WAGATE_TLS_CA_FILE: '' });
      await withoutTls.waitForOutput(/internal gRPC plane \(mutual TLS\) needs TLS material: set WAGATE_TLS_CA_FILE/);
      expect(await withoutTls.stop()).not.toBe(0);

      const insecureEverywhere = startServiceProcess('billing', {
        ...base,
        WAGATE_INSECURE_PLAINTEXT_LOOPBACK: 'true',
        GRPC_HOST: '0.0.0.0',
      });
      await insecureEverywhere.waitForOutput(/0\.0\.0\.0:0 is not a loopback address/);
      expect(await insecureEverywhere.stop()).not.toBe(0);

      const insecureLoopback = startServiceProcess('billing', { ...base, WAGATE_INSECURE_PLAINTEXT_LOOPBACK: 'true' });
      await insecureLoopback.waitForOutput(/billing listening.*127\.0\.0\.1|127\.0\.0\.1.*billing listening/);
      expect(insecureLoopback.output.join('\n')).toContain('TLS is OFF');
      await insecureLoopback.stop();
    } finally {
      await database.drop();
    }
  });
});
