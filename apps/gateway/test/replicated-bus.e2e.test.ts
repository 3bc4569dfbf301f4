import { openDatabase } from '@wagate/db';
import { type NatsCluster, startNatsCluster } from '@wagate/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ProductionRuntime, startProductionRuntime } from './production-runtime.js';

// The production services on a three-node NATS cluster (the machine's nats-server, its own
// loopback ports) with the stream replicated three times. A load of unique messages goes
// through the api while the node leading the stream is SIGKILLed and later restarted: every
// accepted message must reach READ exactly once, no phone may send a message twice, and the
// client may see only brief retryable answers (503), which it retries.

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
    bus: { natsUrl: cluster.url, streamReplicas: 3 },
    env: {
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
  await runtime?.stop();
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

describe('the production runtime on a replicated bus', () => {
  test('loses and duplicates nothing when the stream leader is killed mid-load and restarted', { timeout: 600_000 }, async () => {
    const outcomes: SendOutcome[] = [];
    let next = 0;
    let killed = -1;
    const sender = async () => {
      while (next < MESSAGES) {
        const n = next++;
        if (n === Math.floor(MESSAGES / 3) && killed < 0) {
          killed = await cluster.streamLeader(runtime.busNames.streamName);
          expect(killed).toBeGreaterThanOrEqual(0);
          await cluster.kill(killed);
        }
        if (n === Math.floor((2 * MESSAGES) / 3)) await cluster.restart(killed);
        outcomes.push(await send(n));
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    expect(killed).toBeGreaterThanOrEqual(0);
    const ids = outcomes.map((outcome) => outcome.messageId);
    expect(new Set(ids).size).toBe(MESSAGES);

    // Every accepted message reaches READ, through each status once.
    const database = await openDatabase(runtime.databaseUrl);
    try {
      const deadline = Date.now() + 300_000;
      let unfinished = ids.length;
      while (unfinished > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const { rows } = await sql<{ unfinished: number }>`
          select count(*)::int as unfinished from dispatch.messages
          where id = any(${ids}::bigint[]) and status <> 'READ'`.execute(database.db);
        unfinished = rows[0]!.unfinished;
      }
      expect(unfinished, 'messages not READ within 5 minutes').toBe(0);
      const { rows: histories } = await sql<{ id: string; statuses: string[] }>`
        select message_id::text as id, array_agg(status order by at, recorded_at) as statuses
        from dispatch.status_history where message_id = any(${ids}::bigint[]) group by message_id`.execute(database.db);
      expect(histories).toHaveLength(MESSAGES);
      for (const history of histories) expect(history.statuses, history.id).toEqual(['ACCEPTED', 'SENT', 'DELIVERED', 'READ']);
    } finally {
      await database.close();
    }

    // Each message went out of a phone exactly once: the agent logs one "sent" line per send.
    const sends = new Map<string, number>();
    for (const line of runtime.processes['device-agent'].output) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; messageId?: string };
      if (entry.msg === 'sent' && entry.messageId) sends.set(entry.messageId, (sends.get(entry.messageId) ?? 0) + 1);
    }
    expect(ids.filter((id) => sends.get(id) !== 1)).toEqual([]);

    // The client saw at most brief retryable answers while a new leader was elected.
    const retried = outcomes.filter((outcome) => outcome.retries > 0);
    console.log(
      `replicated bus: ${MESSAGES} messages, node n${killed} killed and restarted; ` +
        `${retried.length} sends retried (${retried.reduce((sum, outcome) => sum + outcome.retries, 0)} retries in all, ` +
        `at most ${Math.max(0, ...outcomes.map((outcome) => outcome.retries))} for one message)`,
    );
  });
});
