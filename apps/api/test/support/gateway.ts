import { createHash, randomBytes } from 'node:crypto';
import { ensureChildAccount, ensureKey, PLATFORM_ACCOUNT_ID } from '@wagate/billing';
import type { PolicySettings } from '@wagate/dispatch';
import { type EmbeddedGateway, startEmbeddedGateway } from '@wagate/gateway';
import type { FreshPostgres } from '@wagate/testkit';
import { freshTestDatabase } from '@wagate/testkit/fixtures';
import { test as baseTest } from 'vitest';
import { assertDocumentedResponse } from './openapi-responses.js';

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
  /**
   * Any request over real HTTP with the demo key (override `authorization` to change it); the
   * response is checked against the OpenAPI document (status, content type, JSON schema).
   */
  request(
    path: string,
    init?: { method?: string; body?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /**
   * A new key with exactly these scopes, of the demo account or of another account (created
   * as a customer under the platform when missing).
   */
  createKey(scopes: string[], accountId?: string): Promise<string>;
  /** A key of the platform account (the root of the account tree), with every scope. */
  platformKey(): Promise<string>;
  revokeKey(key: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real gateway — every service over real gRPC, a real PostgreSQL (a fresh database, copied
 * from the run's migrated template), the in-process bus and simulated devices serving
 * `MyCompany` — reached over real HTTP.
 */
export async function startTestGateway(
  options: { simDevices?: number; policy?: PolicySettings } = {},
): Promise<TestGateway> {
  const database: FreshPostgres = await freshTestDatabase();
  const apiKey = `wag_test_${randomBytes(12).toString('hex')}`;
  let gateway: EmbeddedGateway;
  try {
    gateway = await startEmbeddedGateway({
      port: 0,
      apiKey,
      databaseUrl: database.url,
      simDevices: options.simDevices ?? 1,
      ...(options.policy && { policy: options.policy }),
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const billing = gateway.billing.db;
  const hash = (key: string) => createHash('sha256').update(key).digest('hex');

  // Every response is checked against the OpenAPI document, so no test passes on an answer the document does not describe.
  const request: TestGateway['request'] = async (path, init = {}) => {
    const method = init.method ?? 'GET';
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      ...(init.body !== undefined ? { body: init.body } : {}),
      headers: { authorization: `Key ${apiKey}`, ...init.headers },
    });
    await assertDocumentedResponse(method, response.url, response);
    return response;
  };

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
      await ensureChildAccount(billing, {
        id: accountId,
        name: accountId,
        parentId: PLATFORM_ACCOUNT_ID,
        kind: 'customer',
      });
      const key = `wag_test_${randomBytes(12).toString('hex')}`;
      await ensureKey(billing, accountId, key, 'test', scopes);
      return key;
    },
    async platformKey() {
      const key = `wag_test_${randomBytes(12).toString('hex')}`;
      await ensureKey(billing, PLATFORM_ACCOUNT_ID, key, 'test platform admin');
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

/**
 * vitest's `test` with a `gateway` fixture: one test gateway (startTestGateway's defaults) per
 * test file, started for the first test or `test.beforeAll` that names it, stopped after the
 * file's last test.
 */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; it has none.
export const test = baseTest.extend('gateway', { scope: 'file' }, async ({}, { onCleanup }) => {
  const gateway = await startTestGateway();
  onCleanup(() => gateway.stop());
  return gateway;
});

export interface SendBody {
  result: Array<
    | { code: 'OK'; messageId: string }
    | { code: 'REJECTED'; reasons: Array<{ key: string; ref?: string }>; description: string }
  >;
}

/** A message the demo account can send. */
export const validMessage = { from: 'MyCompany', to: '79034567890', text: 'Code: 1234' } as const;
