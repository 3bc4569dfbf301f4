import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { DeviceReceipt } from '../../src/driver.js';
import { createTickWatcher } from '../../src/drivers/adb/tick-watcher.js';
import type { OutgoingMessage } from '../../src/drivers/adb/ticks.js';

describe('tick watcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A chat screen per recipient, changed by the test as the recipient's phone would. */
  function setup(watchForMs = 60_000) {
    const chats = new Map<string, OutgoingMessage>();
    const reads: string[] = [];
    const receipts: string[] = [];
    const watcher = createTickWatcher({
      intervalMs: 1_000,
      watchForMs,
      read: async (recipient) => {
        reads.push(recipient);
        return chats.get(recipient);
      },
      emit: (receipt: DeviceReceipt) => receipts.push(`${receipt.kind} ${receipt.messageId}`),
      onError: (error) => {
        throw error;
      },
    });
    const sent = (messageId: string, recipient: string, text: string) =>
      watcher.watch({ messageId, recipient, text, sentAtMs: Date.now() });
    return { chats, reads, receipts, watcher, sent };
  }

  test('reports DELIVERED, then READ, and stops looking once read', async () => {
    const { chats, reads, receipts, sent } = setup();
    sent('m1', '79161234567', 'Hello!');
    chats.set('79161234567', { text: 'Hello!', status: 'SENT' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual([]);
    chats.set('79161234567', { text: 'Hello!', status: 'DELIVERED' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual(['DELIVERED m1']);
    chats.set('79161234567', { text: 'Hello!', status: 'READ' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual(['DELIVERED m1', 'READ m1']);
    const readsSoFar = reads.length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toHaveLength(readsSoFar);
  });

  test('a message read straight away still gets DELIVERED first', async () => {
    const { chats, receipts, sent } = setup();
    sent('m1', '79161234567', 'Hello!');
    chats.set('79161234567', { text: 'Hello!', status: 'READ' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual(['DELIVERED m1', 'READ m1']);
  });

  test('ticks the earlier messages of a chat along with the newest', async () => {
    const { chats, receipts, sent } = setup();
    sent('m1', '79161234567', 'First');
    sent('m2', '79161234567', 'Second');
    sent('m3', '79160000002', 'Elsewhere');
    chats.set('79161234567', { text: 'Second', status: 'READ' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual(['DELIVERED m1', 'READ m1', 'DELIVERED m2', 'READ m2']);
  });

  test('ignores a bubble that is none of ours, and knows a long one cut short', async () => {
    const { chats, receipts, sent } = setup();
    const long = 'This is a long message that WhatsApp shows only in part until you tap read more';
    sent('m1', '79161234567', long);
    chats.set('79161234567', { text: 'Something the operator typed by hand', status: 'READ' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual([]);
    chats.set('79161234567', { text: `${long.slice(0, 50)}…`, status: 'DELIVERED' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(receipts).toEqual(['DELIVERED m1']);
  });

  test('gives a message up after its watch time, and stops when closed', async () => {
    const { chats, reads, receipts, sent, watcher } = setup(2_500);
    sent('m1', '79161234567', 'Hello!');
    chats.set('79161234567', { text: 'Hello!', status: 'SENT' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toHaveLength(2);
    expect(receipts).toEqual([]);
    sent('m2', '79161234567', 'Again');
    watcher.close();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toHaveLength(2);
  });
});
