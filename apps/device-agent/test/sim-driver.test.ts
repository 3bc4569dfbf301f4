import { fleet } from '@wagate/contracts';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  createSimDriver,
  createSimDrivers,
  REALISTIC_SIM,
  type SendJob,
  type SimDriver,
  type SimDriverOptions,
} from '../src/index.js';

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

describe('sim driver, like WhatsApp', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 11, 2, 9));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Sends one after another (as the agent does) and says how long each send took. */
  async function sendInTurn(driver: SimDriver, recipients: string[], everyMs = 0) {
    const outcomes: string[] = [];
    for (const [n, recipient] of recipients.entries()) {
      const start = Date.now();
      const outcome = driver.send(job(n, recipient));
      await vi.runAllTimersAsync();
      const result = await outcome;
      outcomes.push(result.sent ? `sent in ${result.atMs - start}` : `failed ${result.errorCode}`);
      if (everyMs > 0) await vi.advanceTimersByTimeAsync(everyMs);
    }
    return outcomes;
  }

  test('takes longer to write to a new contact than to a known one', async () => {
    const driver = createSimDriver({
      newContactSendDelayMs: { min: 5_000, max: 5_000 },
      sendDelayMs: { min: 1_000, max: 1_000 },
    });
    expect(await sendInTurn(driver, ['79161230001', '79161230001', '79161230002'])).toEqual([
      'sent in 5000',
      'sent in 1000',
      'sent in 5000',
    ]);
    // Someone who wrote first is a known contact too.
    driver.inbound('79161230003', 'hi');
    expect(await sendInTurn(driver, ['79161230003'])).toEqual(['sent in 1000']);
    await driver.close();
  });

  test('draws log-normal delays around their median', async () => {
    const durations = async (spread: number) => {
      const driver = createSimDriver({ seed: 11, sendDelayMs: { medianMs: 1_000, spread } });
      const outcomes = await sendInTurn(driver, Array(201).fill('79161230001'));
      await driver.close();
      return outcomes.map((o) => Number(o.split(' ').at(-1))).sort((x, y) => x - y);
    };
    const exact = await durations(0);
    expect(new Set(exact)).toEqual(new Set([1_000]));
    const spread = await durations(0.5);
    const median = spread[100]!;
    expect(median).toBeGreaterThan(800);
    expect(median).toBeLessThan(1_250);
    // σ = 0.5: about a sixth of draws beyond e^0.5 ≈ 1.65 × the median, a sixth below 1/1.65.
    const beyond = spread.filter((ms) => ms > 1_650).length;
    expect(beyond).toBeGreaterThan(15);
    expect(beyond).toBeLessThan(60);
    expect(spread[0]!).toBeLessThan(600);
  });

  test('leaves a share of numbers off WhatsApp, the same ones on every phone', async () => {
    const numbers = Array.from(
      { length: 400 },
      (_, i) => `7916${String(1_000_000 + i * 7919).padStart(7, '0')}`,
    );
    const offOn = async (seed: number) => {
      const driver = createSimDriver({ seed, notOnWhatsApp: [], notOnWhatsAppShare: 0.1 });
      const outcomes = await sendInTurn(driver, numbers);
      await driver.close();
      return numbers.filter((_, i) => outcomes[i] === 'failed 2305');
    };
    const first = await offOn(1);
    expect(first.length).toBeGreaterThan(20);
    expect(first.length).toBeLessThan(60);
    expect(await offOn(2)).toEqual(first);
  });

  test('is banned after more new contacts in an hour than allowed: sends fail and heartbeats say so', async () => {
    const driver = createSimDriver({ banAboveNewContactsPerHour: 3 });
    const strangers = ['79161230001', '79161230002', '79161230003', '79161230004'];
    const outcomes = await sendInTurn(driver, [...strangers, '79161230001']);
    expect(outcomes.map((o) => o.split(' ')[0])).toEqual(['sent', 'sent', 'sent', 'failed', 'failed']);
    expect(outcomes[3]).toBe('failed 2313');
    expect((await driver.heartbeat()).whatsappState).toBe(fleet.WhatsAppState.WHATS_APP_STATE_BANNED);
    await driver.close();

    // The same strangers spread over more than an hour are fine.
    const patient = createSimDriver({ banAboveNewContactsPerHour: 3 });
    const spread = await sendInTurn(patient, strangers, 25 * 60_000);
    expect(spread.every((o) => o.startsWith('sent'))).toBe(true);
    expect((await patient.heartbeat()).whatsappState).toBe(fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN);
    await patient.close();
  });

  test('loses its network at random: heartbeats say so and a send waits until it is back', async () => {
    const options: SimDriverOptions = {
      seed: 5,
      sendDelayMs: { min: 100, max: 100 },
      disconnects: { meanOnlineMs: 60_000, offlineMs: { min: 10_000, max: 10_000 } },
    };
    const start = Date.now();
    const driver = createSimDriver(options);
    let offlineAt: number | undefined;
    let backAt: number | undefined;
    for (let t = 0; t < 600_000 && backAt === undefined; t += 500) {
      const { networkUp } = await driver.heartbeat();
      if (!networkUp && offlineAt === undefined) offlineAt = Date.now() - start;
      if (networkUp && offlineAt !== undefined) backAt = Date.now() - start;
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(offlineAt).toBeDefined();
    expect(backAt! - offlineAt!).toBeGreaterThanOrEqual(9_500);
    await driver.close();

    // The same seed from the same moment loses the network at the same time; a send made then
    // leaves once it is back.
    vi.setSystemTime(start);
    const again = createSimDriver(options);
    await vi.advanceTimersByTimeAsync(offlineAt!);
    expect((await again.heartbeat()).networkUp).toBe(false);
    const outcome = again.send(job(1));
    await vi.runAllTimersAsync();
    const sent = await outcome;
    expect(sent.sent).toBe(true);
    if (sent.sent) expect(sent.atMs - start).toBeGreaterThanOrEqual(backAt! - 500 + 100);
    await again.close();
  });

  test('plays the same script the same way from the same seed, bans and network losses included', async () => {
    // The realistic settings, made harsher so a short script meets every behaviour.
    const options: SimDriverOptions = {
      ...REALISTIC_SIM,
      notOnWhatsAppShare: 0.2,
      banAboveNewContactsPerHour: 6,
      disconnects: { meanOnlineMs: 20_000, offlineMs: { medianMs: 5_000, spread: 0.5 } },
    };
    const script = Array.from({ length: 12 }, (_, i) => `7916123${String(i % 9).padStart(4, '0')}`);
    const play = async (seed: number) => {
      vi.setSystemTime(Date.UTC(2026, 11, 2, 9));
      return runScript({ ...options, seed }, script);
    };
    const first = await play(42);
    expect(await play(42)).toEqual(first);
    expect(await play(43)).not.toEqual(first);
    expect(first.some((line) => line.startsWith('failed') && line.includes(' 2313 '))).toBe(true);
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
