import type { Database } from '@wagate/db';
import type { ProductionRuntime } from '@wagate/testkit';
import { sql } from 'kysely';
import { describe, expect } from 'vitest';
import { test } from './support/production.js';

let runtime: ProductionRuntime;
let db: Database;

test.beforeAll(({ runtime: started, db: connection }) => {
  runtime = started;
  db = connection;
}, 180_000);

const call = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${runtime.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    headers: { authorization: `Key ${runtime.wiring.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `k-${Math.random()}` },
  });

const send = () =>
  call('/whatsapp/messages', {
    method: 'POST',
    body: { messages: [{ from: 'MyCompany', to: '79034567890', text: 'hello' }] },
  });

/** Funds still held for messages: none may be, once a send that dispatch did not accept has answered. */
async function heldReservations(): Promise<number> {
  const { rows } = await sql<{ held: string }>`
    select count(*) as held from billing.reservations where state = 'reserved'`.execute(db.db);
  return Number(rows[0]!.held);
}

async function expectRetryLater(response: Response): Promise<void> {
  const body = await response.text();
  expect(response.status, body).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(JSON.parse(body)).toMatchObject({ code: 'REJECTED', reasons: [{ key: 'service.unavailable' }] });
}

describe('a peer process that is down makes the api answer 503 with Retry-After, never 500', () => {
  test('fleet stopped: a send (api → dispatch → fleet, two hops) and the senders list (api → fleet)', async () => {
    await runtime.stop('fleet', 'SIGKILL');
    await expectRetryLater(await send());
    // Billing reserved the message, dispatch refused the batch: the funds are back at once.
    expect(await heldReservations()).toBe(0);
    await expectRetryLater(await call('/v1/senders'));
    // Back up, the same send goes through: the first attempt did not use up anything.
    await runtime.start('fleet');
    const deadline = Date.now() + 30_000;
    let response = await send();
    while (response.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await send();
    }
    expect(response.status, await response.clone().text()).toBe(200);
  }, 120_000);

  test('dispatch stopped: a send and a message read', async () => {
    await runtime.stop('dispatch', 'SIGKILL');
    const heldBefore = await heldReservations();
    await expectRetryLater(await send());
    expect(await heldReservations()).toBe(heldBefore);
    await expectRetryLater(await call('/v1/messages?limit=1'));
    await runtime.start('dispatch');
  }, 120_000);

  test('billing stopped: even authentication answers 503', async () => {
    await runtime.stop('billing', 'SIGKILL');
    await expectRetryLater(await call('/v1/balance'));
    await runtime.start('billing');
  }, 120_000);
});
