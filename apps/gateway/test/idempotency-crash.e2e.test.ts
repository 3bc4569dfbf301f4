import type { Database } from '@wagate/db';
import type { ProductionRuntime } from '@wagate/testkit';
import { sql } from 'kysely';
import { afterAll, expect } from 'vitest';
import { test } from './support/production.js';

let runtime: ProductionRuntime;
let db: Database;

test.beforeAll(({ runtime: started, db: connection }) => {
  runtime = started;
  db = connection;
}, 180_000);

afterAll(() => {
  runtime?.processes.get('dispatch')?.signal('SIGCONT');
});

const body = JSON.stringify({
  messages: [
    { from: 'MyCompany', to: '79034567890', text: 'one' },
    { from: 'MyCompany', to: '79034567891', text: 'two' },
    { from: 'MyCompany', to: 'not a number', text: 'rejected at validation' },
    { from: 'MyCompany', to: '79034567892', text: 'three' },
  ],
});
const send = (key: string) =>
  fetch(`${runtime.apiUrl}/whatsapp/messages`, {
    method: 'POST',
    body,
    headers: { authorization: `Key ${runtime.wiring.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
  });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('an api SIGKILLed mid-request: a retry with the same Idempotency-Key gets, within seconds, the message ids the first attempt had handed out, and they are sent once', async () => {
  const key = 'crash-retry-1';
  // Dispatch frozen: the first attempt reserves, then hangs in Accept, where the api is killed.
  runtime.processes.get('dispatch')!.signal('SIGSTOP');
  const firstAttempt = send(key).catch(() => undefined);
  const plan = await until('the first attempt recorded its message ids and billing reserved them', async () => {
    const { rows } = await sql<{ plan: { messageIds: Array<string | null> } | null }>`
      select recovery_point as plan from api.idempotency_keys where key = ${key}`.execute(db.db);
    const ids = rows[0]?.plan?.messageIds.filter((id): id is string => id !== null);
    if (!ids) return undefined;
    const { rows: reserved } = await sql<{ n: string }>`
      select count(*) as n from billing.reservations where message_id::text in (${sql.join(ids)})`.execute(db.db);
    return Number(reserved[0]!.n) === ids.length ? ids : undefined;
  });
  expect(plan).toHaveLength(3);
  await runtime.stop('api', 'SIGKILL');
  await firstAttempt;
  // Dispatch thaws: it may or may not still handle the dead api's Accept. Either way is fine.
  runtime.processes.get('dispatch')!.signal('SIGCONT');
  await runtime.start('api');

  // Within the lease (10 s) a retry is told "in progress"; then it takes the request over
  // (before leases, the key stayed in progress for its 24 hours).
  const answer = await until('a retry that is not told "in progress"', async () => {
    const response = await send(key);
    return response.status === 409 ? undefined : { status: response.status, body: await response.text() };
  });
  expect(answer.status, answer.body).toBe(200);
  const result = (JSON.parse(answer.body) as { result: Array<{ code: string; messageId?: string }> }).result;
  expect(result.map((r) => r.code)).toEqual(['OK', 'OK', 'REJECTED', 'OK']);
  expect(result.filter((r) => r.code === 'OK').map((r) => r.messageId)).toEqual(plan);

  // Exactly these messages exist, once each, each reserved once; nothing else was sent.
  const { rows: messages } = await sql<{ id: string }>`select id::text from dispatch.messages order by id`.execute(db.db);
  expect(messages.map((m) => m.id)).toEqual([...plan].sort());
  const { rows: reservations } = await sql<{ id: string; state: string }>`
    select message_id::text as id, state from billing.reservations order by message_id`.execute(db.db);
  expect(reservations).toEqual([...plan].sort().map((id) => ({ id, state: 'reserved' })));

  // And from now on the same key replays that answer byte for byte.
  const replay = await send(key);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(await replay.text()).toBe(answer.body);
}, 180_000);
