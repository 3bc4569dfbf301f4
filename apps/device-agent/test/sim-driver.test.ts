import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createSimDriver, createSimDrivers, type SendJob, type SimDriverOptions } from '../src/index.js';

function job(n: number, recipient = `7916123456${n}`): SendJob {
  return { jobId: `job-${n}`, messageId: `msg-${n}`, recipient, text: `hello ${n}` };
}

/** Everything a user of the phone would see, with times relative to the start. */
async function runScript(options: SimDriverOptions, recipients: string[]): Promise<string[]> {
  const driver = createSimDriver(options);
  const start = Date.now();
  const seen: string[] = [];
  driver.onReceipt((r) => seen.push(`${r.kind} ${r.messageId} +${r.atMs - start}`));
  const sends = recipients.map((recipient, n) =>
    driver.send(job(n, recipient)).then((outcome) => {
      seen.push(
        outcome.sent
          ? `sent msg-${n} +${outcome.atMs - start}`
          : `failed msg-${n} ${outcome.errorCode} +${Date.now() - start}`,
      );
    }),
  );
  await vi.runAllTimersAsync();
  await Promise.all(sends);
  await driver.close();
  return seen;
}

describe('sim driver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const recipients = ['79161230001', '79161230002', '79160000000', '79161230004', '79161230005'];
  const options: SimDriverOptions = {
    sendDelayMs: { min: 50, max: 5_000 },
    deliveredAfterMs: { min: 10, max: 3_000 },
    readAfterMs: { min: 10, max: 3_000 },
    readProbability: 0.5,
  };

  test('is repeatable: the same seed gives the same delays and outcomes', async () => {
    const first = await runScript({ ...options, seed: 42 }, recipients);
    const second = await runScript({ ...options, seed: 42 }, recipients);
    const other = await runScript({ ...options, seed: 43 }, recipients);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  test('ticks a sent message DELIVERED, then READ', async () => {
    const driver = createSimDriver({ seed: 7 });
    const receipts: Array<{ kind: string; atMs: number }> = [];
    driver.onReceipt((r) => receipts.push({ kind: r.kind, atMs: r.atMs }));
    const outcome = driver.send(job(1));
    await vi.runAllTimersAsync();
    const sent = await outcome;
    expect(sent.sent).toBe(true);
    expect(receipts.map((r) => r.kind)).toEqual(['DELIVERED', 'READ']);
    if (!sent.sent) return;
    expect(receipts[0]!.atMs).toBeGreaterThanOrEqual(sent.atMs);
    expect(receipts[1]!.atMs).toBeGreaterThanOrEqual(receipts[0]!.atMs);
  });

  test('fails with 2305 for a number that is not on WhatsApp, and ticks nothing', async () => {
    const driver = createSimDriver({ seed: 7 });
    const receipts: string[] = [];
    driver.onReceipt((r) => receipts.push(r.kind));
    const outcome = driver.send(job(1, '79160000000'));
    await vi.runAllTimersAsync();
    expect(await outcome).toEqual({
      sent: false,
      errorCode: 2305,
      reason: 'the recipient does not use WhatsApp',
    });
    expect(receipts).toEqual([]);
  });

  test('takes its not-on-WhatsApp rule as a list of numbers or suffixes, or a predicate', async () => {
    const byList = createSimDriver({ notOnWhatsApp: ['79161112233', '99'] });
    const byPredicate = createSimDriver({ notOnWhatsApp: (recipient) => recipient.startsWith('7800') });
    const outcomes = [
      byList.send(job(1, '79161112233')),
      byList.send(job(2, '79161112299')),
      byList.send(job(3, '79160000000')),
      byPredicate.send(job(4, '78001234567')),
      byPredicate.send(job(5, '79160000000')),
    ];
    await vi.runAllTimersAsync();
    expect((await Promise.all(outcomes)).map((o) => o.sent)).toEqual([false, false, true, false, true]);
  });

  test('never runs two sends at once: a phone is one UI', async () => {
    const driver = createSimDriver({ sendDelayMs: { min: 100, max: 100 } });
    const start = Date.now();
    const outcomes = Promise.all([driver.send(job(1)), driver.send(job(2)), driver.send(job(3))]);
    await vi.runAllTimersAsync();
    const times = (await outcomes).map((o) => (o.sent ? o.atMs - start : Number.NaN));
    expect(times).toEqual([100, 200, 300]);
  });

  test('reports an incoming message with a key unique on the device', () => {
    const driver = createSimDriver({ phoneNumber: '79990000001' });
    const seen: Array<{ deviceMessageKey: string; from: string; text: string }> = [];
    driver.onInbound(({ deviceMessageKey, from, text }) => seen.push({ deviceMessageKey, from, text }));
    driver.inbound('79161234567', 'hi');
    driver.inbound('79161234567', 'hi');
    expect(seen.map((m) => m.text)).toEqual(['hi', 'hi']);
    expect(seen[0]!.from).toBe('79161234567');
    expect(seen[0]!.deviceMessageKey).not.toBe(seen[1]!.deviceMessageKey);
  });

  test('stops ticking once closed', async () => {
    const driver = createSimDriver({ deliveredAfterMs: { min: 1_000, max: 1_000 } });
    const receipts: string[] = [];
    driver.onReceipt((r) => receipts.push(r.kind));
    const outcome = driver.send(job(1));
    await vi.advanceTimersByTimeAsync(200);
    expect((await outcome).sent).toBe(true);
    await driver.close();
    await vi.runAllTimersAsync();
    expect(receipts).toEqual([]);
    await expect(driver.send(job(2))).rejects.toThrow(/closed/);
  });
});

describe('createSimDrivers', () => {
  test('numbers devices from the base, each with its own key and its own seed', async () => {
    vi.useFakeTimers();
    try {
      const drivers = createSimDrivers(3, { seed: 5, numberBase: '79990000001' });
      expect(drivers.map((d) => d.info.phoneNumber)).toEqual(['79990000001', '79990000002', '79990000003']);
      expect(new Set(drivers.map((d) => d.info.deviceKey)).size).toBe(3);
      expect(drivers.every((d) => d.info.driver === 'sim')).toBe(true);
      // Own seeds: the same script on two devices does not play out identically.
      const start = Date.now();
      const times = drivers.map((d) => d.send(job(1)).then((o) => (o.sent ? o.atMs - start : -1)));
      await vi.runAllTimersAsync();
      expect(new Set(await Promise.all(times)).size).toBeGreaterThan(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
