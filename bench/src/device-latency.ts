/**
 * Acceptance to the device: for the messages a run accepted, the time from their acceptance
 * (the api's clock when the request arrived, `accepted_at`) to the moment the phone sent them
 * (the SENT entry of their history, the phone's clock). Everything runs on one machine, so the
 * two clocks are one. Read from the target's database once every message is sent, or when
 * `waitMs` is over (the rest are counted as not sent).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface DeviceLatency {
  /** Messages accepted in the window. */
  accepted: number;
  /** Of those, sent by a phone by the time of reading. */
  sent: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

const POLL_MS = 500;

export async function acceptToDevice(
  databaseUrl: string,
  window: { fromMs: number; toMs: number },
  waitMs = 30_000,
): Promise<DeviceLatency> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { rows } = await client.query<{
        accepted: string;
        sent: string;
        p50: number | null;
        p99: number | null;
      }>(
        `SELECT count(*) AS accepted, count(s.at) AS sent,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.at - m.accepted_at) * 1000) AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM s.at - m.accepted_at) * 1000) AS p99
           FROM dispatch.messages m
           LEFT JOIN dispatch.status_history s ON s.message_id = m.id AND s.status = 'SENT'
          WHERE m.accepted_at >= $1 AND m.accepted_at < $2`,
        [new Date(window.fromMs), new Date(window.toMs)],
      );
      const row = rows[0]!;
      const latency = {
        accepted: Number(row.accepted),
        sent: Number(row.sent),
        p50Ms: row.p50 === null ? null : Math.round(row.p50),
        p99Ms: row.p99 === null ? null : Math.round(row.p99),
      };
      if (latency.sent >= latency.accepted || Date.now() >= deadline) return latency;
      await sleep(POLL_MS);
    }
  } finally {
    await client.end();
  }
}
