import { createHash, randomBytes } from 'node:crypto';
import { type EmbeddedGateway, startEmbeddedGateway } from '@wagate/gateway';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/testkit';
import { sql } from 'kysely';

/** Whole gateways start here (PostgreSQL, migrations, gRPC): generous, and never an assertion. */
export const SLOW = 120_000;

export interface TestGateway {
  readonly url: string;
  /** The demo account's key: scopes send, read and manage. */
  readonly apiKey: string;
  readonly accountId: string;
  readonly gateway: EmbeddedGateway;
  /** The gateway's PostgreSQL database, e.g. for a second connection. */
  readonly databaseUrl: string;
  /** `POST /whatsapp/messages` over real HTTP; `body` is sent as is when it is a string. */
  send(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Any request over real HTTP with the demo key (override `authorization` to change it). */
  request(
    path: string,
    init?: { method?: string; body?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** A new key with exactly these scopes, of the demo account or of another (created) account. */
  createKey(scopes: string[], accountId?: string): Promise<string>;
  revokeKey(key: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real gateway — every service over real gRPC, a real PostgreSQL (a fresh database per
 * file), the in-process bus and simulated devices serving `MyCompany` — reached over real HTTP.
 */
export async function startTestGateway(options: { simDevices?: number } = {}): Promise<TestGateway> {
  const database: FreshPostgres = await freshPostgresUrl();
  const apiKey = `wag_test_${randomBytes(12).toString('hex')}`;
  let gateway: EmbeddedGateway;
  try {
    gateway = await startEmbeddedGateway({
      port: 0,
      apiKey,
      databaseUrl: database.url,
      simDevices: options.simDevices ?? 1,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  // Keys and accounts have no API yet (the accounts issue): tests make them in billing's tables.
  const billing = gateway.database.db.withSchema('billing');
  const hash = (key: string) => createHash('sha256').update(key).digest('hex');

  const request: TestGateway['request'] = (path, init = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { body: init.body } : {}),
      headers: { authorization: `Key ${apiKey}`, ...init.headers },
    });

  return {
    url: gateway.url,
    apiKey,
    accountId: gateway.accountId,
    gateway,
    databaseUrl: database.url,
    send: (body, headers = {}) =>
      request('/whatsapp/messages', {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...headers },
      }),
    request,
    async createKey(scopes, accountId = gateway.accountId) {
      await billing
        .insertInto('accounts')
        .values({ id: accountId, name: accountId, parent_id: null, status: 'active' })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      const key = `wag_test_${randomBytes(12).toString('hex')}`;
      await billing
        .insertInto('api_keys')
        .values({
          id: `key_${randomBytes(8).toString('hex')}`,
          account_id: accountId,
          key_hash: hash(key),
          prefix: key.slice(0, 8),
          scopes: sql`${sql.val(scopes)}::text[]`,
          revoked_at: null,
        })
        .execute();
      return key;
    },
    async revokeKey(key) {
      await billing
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('key_hash', '=', hash(key))
        .execute();
    },
    async stop() {
      await gateway.stop();
      await database.drop();
    },
  };
}

export interface SendBody {
  result: Array<
    | { code: 'OK'; messageId: string }
    | { code: 'REJECTED'; reasons: Array<{ key: string; ref?: string }>; description: string }
  >;
}

/** A message the demo account can send. */
export const validMessage = { from: 'MyCompany', to: '79034567890', text: 'Code: 1234' } as const;
