import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { DeliveryReceipt } from '../src/delivery-worker.js';
import type { GroupMember } from '../src/memory-consumer-group.js';
import { TopicLog } from '../src/memory-topic-log.js';
import type { Delivery } from '../src/port.js';

/** A member that holds deliveries until the test settles them. */
function holdingMember(): GroupMember & { held: Array<{ delivery: Delivery; receipt: DeliveryReceipt }> } {
  const held: Array<{ delivery: Delivery; receipt: DeliveryReceipt }> = [];
  return {
    ackWaitMs: 60_000,
    canAccept: true,
    held,
    accept: (delivery, receipt) => held.push({ delivery, receipt }),
  };
}

function append(log: TopicLog, count: number): void {
  for (let n = 0; n < count; n++) log.append({ id: randomUUID(), key: 'k', payload: '{}', headers: {} });
}

describe('memory topic log retention', () => {
  test('keeps every message while the topic has no group', () => {
    const log = new TopicLog('message.status');
    append(log, 3);
    expect(log.firstSeq).toBe(1);
    expect(log.message(1)).toBeDefined();
  });

  test('drops messages once every group has acked them, not before', () => {
    const log = new TopicLog('message.accepted');
    const fast = holdingMember();
    const slow = holdingMember();
    log.group('fast').join(fast);
    log.group('slow').join(slow);
    append(log, 3);

    for (const { receipt } of fast.held) receipt.ack();
    expect(log.firstSeq).toBe(1);

    slow.held[1]!.receipt.ack();
    expect(log.firstSeq).toBe(1); // seq 1 is still unacked by `slow`
    slow.held[0]!.receipt.ack();
    expect(log.firstSeq).toBe(3);
    expect(log.message(1)).toBeUndefined();
    expect(log.message(2)).toBeUndefined();
    slow.held[2]!.receipt.ack();
    expect(log.firstSeq).toBe(4);
    log.close();
  });
});
