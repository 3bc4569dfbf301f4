import { type Database, openDatabase } from '@wagate/db';
import {
  type NatsCluster,
  type ProductionRuntime,
  startNatsCluster,
  startProductionRuntime,
} from '@wagate/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// The production services on a three-node NATS cluster (the machine's nats-server, its own
// loopback ports) with the stream replicated three times. A load of unique messages goes
// through the api while the node leading the stream is SIGKILLed; every message sent so far must
// be delivered while it is down (which one replica could not do), then it is restarted and the
// load goes on. Every accepted message must reach READ through each status once, no phone may
// send a message twice, and the client may see only brief retryable answers (503), retried.

const apiKey = 'wag_replicated_bus_e2e_key_0123456789';
const MESSAGES = 120;
const SENDERS = 4;
const RETRYABLE = new Set([502, 503, 504]);

let cluster: NatsCluster;
let runtime: ProductionRuntime;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  runtime = await startProductionRuntime({
    apiKey,
    natsUrl: cluster.url,
    streamReplicas: 3,
    extra: {
      // The test is about the bus, not about protecting numbers from bans: no pacing gaps.
      fleet: {
        WAGATE_PACING_NEW_CONTACT_GAP_MS: '0',
        WAGATE_PACING_KNOWN_CONTACT_GAP_MS: '0',
        WAGATE_PACING_DAILY_NEW_CONTACTS: '100000',
      },
      'device-agent': { WAGATE_SIM_DEVICES: '3' },
    },
  });
}, 240_000);

afterAll(async () => {
  await runtime?.close();
  await cluster?.stop();
});

interface SendOutcome {
  messageId: string;
  retries: number;
}

/** Sends one message as a client would: retries retryable answers with backoff, fails on anything else. */
async function send(n: number): Promise<SendOutcome> {
  let retries = 0;
  for (;;) {
    const response = await fetch(`${runtime.apiUrl}/whatsapp/messages`, {
      method: 'POST',
      headers: { authorization: `Key ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        // 40 recipients, none ending in 0000 (the simulated phones' "not on WhatsApp" numbers).
        messages: [{ from: 'MyCompany', to: `7903${1_000_001 + (n % 40)}`, text: `load ${n}` }],
      }),
    }).catch(() => undefined);
    if (response && !RETRYABLE.has(response.status)) {
      const body = (await response.json()) as { result?: { code: string; messageId?: string }[] };
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.result?.[0]?.code, JSON.stringify(body)).toBe('OK');
      return { messageId: body.result![0]!.messageId!, retries };
    }
    retries += 1;
    if (retries > 60) throw new Error(`message ${n}: still not accepted after ${retries} tries (last ${response?.status})`);
    await new Promise((resolve) => setTimeout(resolve, 250 * Math.min(retries, 8)));
  }
}

/** Sends messages `from`..`to - 1` with `SENDERS` clients at once. */
async function sendRange(from: number, to: number): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = [];
  let next = from;
  const sender = async () => {
    while (next < to) outcomes.push(await send(next++));
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return outcomes;
}

/** Waits (generously) until every message is READ; returns how many are not. */
async function unreadAfterWaiting(database: Database, ids: string[]): Promise<number> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { rows } = await sql<{ unread: number }>`
      select count(*)::int as unread from dispatch.messages
      where id = any(${ids}::bigint[]) and status <> 'READ'`.execute(database.db);
    if (rows[0]!.unread === 0 || Date.now() > deadline) return rows[0]!.unread;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

describe('the production runtime on a replicated bus', () => {
  test('loses and duplicates nothing when the stream leader is killed mid-load and restarted', {
    timeout: 900_000,
  }, async () => {
    const database = await openDatabase(runtime.wiring.databaseUrl);
    try {
      const before = await sendRange(0, MESSAGES / 3);
      // Kill the node leading the stream: with one replica the stream would now be gone until
      // that node returned, and nothing sent from here on could be delivered.
      const killed = await cluster.streamLeader(runtime.wiring.bus.streamName);
      expect(killed).toBeGreaterThanOrEqual(0);
      await cluster.kill(killed);
      const during = await sendRange(MESSAGES / 3, MESSAGES);
      // Every message so far is delivered while the node is still down.
      const sentSoFar = [...before, ...during].map((outcome) => outcome.messageId);
      expect(await unreadAfterWaiting(database, sentSoFar), 'messages not READ with a node down').toBe(0);
      // The node comes back, catches up, and the load goes on.
      await cluster.restart(killed);
      const after = await sendRange(MESSAGES, MESSAGES + MESSAGES / 3);
      const outcomes = [...before, ...during, ...after];
      const ids = outcomes.map((outcome) => outcome.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(await unreadAfterWaiting(database, ids), 'messages not READ after the restart').toBe(0);

      // Every accepted message went through each status once.
      const { rows: histories } = await sql<{ id: string; statuses: string[] }>`
        select message_id::text as id, array_agg(status order by at, recorded_at) as statuses
        from dispatch.status_history where message_id = any(${ids}::bigint[]) group by message_id`.execute(
        database.db,
      );
      expect(histories).toHaveLength(ids.length);
      for (const history of histories)
        expect(history.statuses, history.id).toEqual(['ACCEPTED', 'SENT', 'DELIVERED', 'READ']);

      // Each message went out of a phone exactly once: the agent logs one "sent" line per send.
      const sends = new Map<string, number>();
      for (const line of runtime.processes.get('device-agent')!.output) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; messageId?: string };
        if (entry.msg === 'sent' && entry.messageId)
          sends.set(entry.messageId, (sends.get(entry.messageId) ?? 0) + 1);
      }
      expect(ids.filter((id) => sends.get(id) !== 1)).toEqual([]);

      // The client saw at most brief retryable answers (retried by send()); how many, for the record.
      const retried = outcomes.filter((outcome) => outcome.retries > 0);
      console.log(
        `replicated bus: ${ids.length} messages, node n${killed} (the stream leader) killed after ${before.length} ` +
          `and restarted after ${before.length + during.length}; ${retried.length} sends retried ` +
          `(${retried.reduce((sum, outcome) => sum + outcome.retries, 0)} retries in all)`,
      );
    } finally {
      await database.close();
    }
  });
});
