import { ledgerProblems } from '@wagate/billing/testing';
import { expect } from 'vitest';
import type { TestGateway } from './gateway.js';

export interface Answer<T = any> {
  status: number;
  body: T;
}

/** Calls the api as one key: JSON in, status and parsed JSON (or text) out. */
export function asKey(t: TestGateway, key: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await t.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // CSV and other text stay as they are.
    }
    return { status: response.status, body: parsed };
  };
  return {
    key,
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body ?? {}),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    delete: (path: string) => call('DELETE', path),
    send: (messages: unknown[]) => call('POST', '/whatsapp/messages', { messages }),
  };
}
export type KeyClient = ReturnType<typeof asKey>;

/** Creates an account below `parent` and a key for it with every scope. */
export async function childWithKey(
  parent: KeyClient,
  t: TestGateway,
  body: { name: string; kind: 'reseller' | 'customer'; parentId?: string; markupBps?: number },
): Promise<{ id: string; client: KeyClient }> {
  const created = await parent.post('/v1/accounts', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const key = await parent.post(`/v1/accounts/${created.body.id}/keys`, {
    name: 'admin',
    scopes: ['send', 'read', 'manage'],
  });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { id: created.body.id, client: asKey(t, key.body.key) };
}

/** Waits until billing has settled (captured or released) every one of these messages. */
export async function waitForSettled(
  t: TestGateway,
  messageIds: string[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await t.gateway.billing.db
      .selectFrom('reservations')
      .select('message_id')
      .where('message_id', 'in', messageIds)
      .where('state', '=', 'reserved')
      .execute();
    if (open.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${open.length} messages still reserved after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function expectLedgerBalanced(t: TestGateway): Promise<void> {
  expect(await ledgerProblems(t.gateway.billing.db)).toEqual([]);
}

export const okIds = (answer: Answer) =>
  (answer.body.result as Array<{ code: string; messageId?: string }>)
    .filter((r) => r.code === 'OK')
    .map((r) => r.messageId!);

/** Gives an account a sender of its own, served by the gateway's simulated devices, so its messages are really sent. */
export async function moveDevicesToSender(t: TestGateway, accountId: string, name: string): Promise<void> {
  await t.gateway.fleet.bindDevices(accountId, name);
}

export const todayUtc = () => new Date().toISOString().slice(0, 10);
