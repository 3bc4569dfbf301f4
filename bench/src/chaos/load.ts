import { randomUUID } from 'node:crypto';

/** One request of the load, as the client saw it in the end. */
export interface RequestRecord {
  key: string;
  messages: number;
  /** The message ids of its OK results, once some attempt answered 200. */
  okIds?: string[];
  rejected?: number;
  attempts: number;
  /** Answers by status across its attempts (e.g. 503 while a peer restarts). */
  statuses: Record<number, number>;
}

export interface LoadOptions {
  apiUrl: string;
  apiKey: string;
  sender: string;
  /** Each request's messages call back to one of these, in turn. */
  callbackUrls: string[];
  concurrency: number;
  /** Share of requests with 10–100 messages (the rest carry one). */
  batchShare: number;
  /**
   * At most this many messages a second, over the whole run: kept below what the phones send,
   * so the queue does not outgrow the drain on a fast machine (the audit then measures crashes,
   * not a backlog).
   */
  maxMessagesPerSecond: number;
  random: () => number;
}

/**
 * The chaos run's customer: requests of unique messages (85 % single, 15 % 10–100), each with
 * an Idempotency-Key, retried with the same key and body on any answer but 200 (and on network
 * errors) until it gets one, as the contract tells clients to. `stop()` ends new requests;
 * `settle(deadline)` lets the requests in progress keep retrying until then.
 */
export function startLoad(options: LoadOptions) {
  const records: RequestRecord[] = [];
  let next = 0;
  let stopping = false;
  const startedAt = Date.now();
  /** Messages of the requests started so far (for the rate cap). */
  let scheduled = 0;
  let retryUntil = Number.POSITIVE_INFINITY;
  const recipient = () => {
    next += 1;
    // Unique Russian mobile numbers; none ends in 0000 (the sim's "not on WhatsApp").
    if (next % 10_000 === 0) next += 1;
    return `79${100_000_000 + next}`;
  };

  async function oneRequest(): Promise<void> {
    const count = options.random() < options.batchShare ? 10 + Math.floor(options.random() * 91) : 1;
    scheduled += count;
    const callbackUrl = options.callbackUrls[records.length % options.callbackUrls.length];
    const body = JSON.stringify({
      messages: Array.from({ length: count }, (_, i) => ({
        from: options.sender,
        to: recipient(),
        text: `chaos ${randomUUID().slice(0, 8)} #${i}`,
        callbackUrl,
      })),
    });
    const record: RequestRecord = { key: randomUUID(), messages: count, attempts: 0, statuses: {} };
    records.push(record);
    let backoffMs = 200;
    while (Date.now() < retryUntil) {
      record.attempts += 1;
      try {
        const response = await fetch(`${options.apiUrl}/whatsapp/messages`, {
          method: 'POST',
          body,
          headers: {
            authorization: `Key ${options.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': record.key,
          },
          signal: AbortSignal.timeout(30_000),
        });
        record.statuses[response.status] = (record.statuses[response.status] ?? 0) + 1;
        const text = await response.text();
        if (response.status === 200) {
          const results = (JSON.parse(text) as { result: Array<{ code: string; messageId?: string }> })
            .result;
          record.okIds = results.filter((r) => r.code === 'OK').map((r) => r.messageId!);
          record.rejected = results.length - record.okIds.length;
          return;
        }
      } catch {
        record.statuses[0] = (record.statuses[0] ?? 0) + 1; // no answer: connection refused or reset
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }

  const workers = Array.from({ length: options.concurrency }, async () => {
    while (!stopping) {
      // The next request may start once the messages before it fit the rate.
      const wait = startedAt + (scheduled / options.maxMessagesPerSecond) * 1_000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopping) break;
      await oneRequest();
    }
  });

  return {
    records,
    /** No new requests; those in progress retry until `deadline` (ms since the epoch). */
    async stop(deadline: number) {
      stopping = true;
      retryUntil = deadline;
      await Promise.all(workers);
    },
  };
}
