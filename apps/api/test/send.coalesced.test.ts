import { expect } from 'vitest';
import { SLOW, type TestGateway, test, validMessage } from './support/gateway.js';

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

type SendBody = { result: Array<{ code: string; messageId?: string; reasons?: Array<{ key: string }> }> };

test(
  'single sends of one account made at once are each answered as if alone (their Reserve and Accept calls are coalesced)',
  async () => {
    // Every other send names a sender the account does not have: billing reserves it, dispatch
    // refuses it, and its funds go back. Sent at once, the calls of these sends share gRPC calls.
    const sends = Array.from({ length: 24 }, (_, i) => ({
      ...validMessage,
      text: `code ${i}`,
      ...(i % 2 === 1 && { from: 'SomeoneElsesCompany' }),
    }));
    const released = async () =>
      (
        await t.gateway.database.db
          .withSchema('billing')
          .selectFrom('reservations')
          .select('message_id')
          .where('account_id', '=', t.accountId)
          .where('state', '=', 'released')
          .execute()
      ).length;
    const releasedBefore = await released();
    const bodies = await Promise.all(
      sends.map(async (message) => {
        const response = await t.send({ messages: [message] });
        expect(response.status).toBe(200);
        return (await response.json()) as SendBody;
      }),
    );
    expect(bodies.map((body) => body.result.length)).toEqual(sends.map(() => 1));
    expect(bodies.map((body) => body.result[0]!.code)).toEqual(
      sends.map((_, i) => (i % 2 ? 'REJECTED' : 'OK')),
    );
    const ids = bodies.flatMap((body) => (body.result[0]!.messageId ? [body.result[0]!.messageId] : []));
    expect(new Set(ids).size).toBe(12);

    // Each accepted message is its own send's: its text, and a reservation of its own that stands.
    const messages = await t.gateway.database.db
      .withSchema('dispatch')
      .selectFrom('messages')
      .select(['id', 'payload'])
      .where('id', 'in', ids)
      .execute();
    const textOf = new Map(messages.map((row) => [row.id, (row.payload as { text: string }).text]));
    bodies.forEach((body, i) => {
      if (i % 2 === 0) expect(textOf.get(body.result[0]!.messageId!)).toBe(`code ${i}`);
    });
    const reservations = await t.gateway.database.db
      .withSchema('billing')
      .selectFrom('reservations')
      .select(['message_id', 'state'])
      .where('account_id', '=', t.accountId)
      .execute();
    const accepted = new Set(ids);
    expect(reservations.filter((r) => accepted.has(r.message_id)).every((r) => r.state !== 'released')).toBe(
      true,
    );
    expect(reservations.filter((r) => accepted.has(r.message_id))).toHaveLength(12);
    expect(await released()).toBe(releasedBefore + 12);
  },
  SLOW,
);
