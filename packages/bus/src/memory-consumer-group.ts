import type { DeliveryReceipt } from './delivery-worker.js';
import { decodePayload } from './payload-codec.js';
import type { Delivery, Topic } from './port.js';

/** A message as the memory broker retains it: the payload stays JSON so each delivery gets a copy. */
export interface StoredMessage {
  id: string;
  key: string;
  payload: string;
  headers: Record<string, string>;
}

/** The retained log a group reads from (a topic), by sequence number. */
export interface GroupSource {
  readonly topic: Topic;
  /** Sequence of the oldest retained message. */
  readonly firstSeq: number;
  /** Sequence the next published message will get. */
  readonly nextSeq: number;
  message(seq: number): StoredMessage | undefined;
  /** Called when this group acked `seq`, so the log can drop what every group is done with. */
  acked(seq: number): void;
}

/** A live subscriber in a group: the memory counterpart of one JetStream pull subscription. */
export interface GroupMember {
  /** Applies to the whole group from the moment this member joins, as a JetStream consumer update does. */
  readonly ackWaitMs: number;
  /** False when the member holds as many deliveries as it may, or is leaving. */
  readonly canAccept: boolean;
  accept(delivery: Delivery, receipt: DeliveryReceipt): void;
}

interface Outstanding {
  deliveryCount: number;
  ackTimer: NodeJS.Timeout;
}

interface PendingRedelivery {
  deliveryCount: number;
  dueAt: number;
}

/**
 * The memory equivalent of a durable JetStream consumer: a cursor over the topic plus the
 * deliveries not yet acked. Each delivery goes to one member; one not settled within the
 * member's ack wait, or nak'ed, goes out again (to whichever member has room) with a higher
 * delivery count.
 */
export class ConsumerGroup {
  readonly #source: GroupSource;
  /** Next never-delivered sequence. Starts at the oldest retained message: deliver policy "all". */
  #cursor: number;
  /** Keyed by sequence; the object identity tells a current attempt from a stale one. */
  readonly #outstanding = new Map<number, Outstanding>();
  readonly #redeliveries = new Map<number, PendingRedelivery>();
  readonly #members: GroupMember[] = [];
  #nextMember = 0;
  /** Set by every joining member; nothing is delivered before the first one joins. */
  #ackWaitMs = 0;
  #wake: { at: number; timer: NodeJS.Timeout } | undefined;
  #pumping = false;
  #pumpAgain = false;
  #closed = false;

  constructor(source: GroupSource) {
    this.#source = source;
    this.#cursor = source.firstSeq;
  }

  join(member: GroupMember): void {
    this.#ackWaitMs = member.ackWaitMs;
    this.#members.push(member);
    this.pump();
  }

  /** Stops sending to `member`; what it still holds is settled by it or expires after ack wait. */
  leave(member: GroupMember): void {
    const index = this.#members.indexOf(member);
    if (index >= 0) this.#members.splice(index, 1);
  }

  /** Lowest sequence this group may still need; everything below it is acked. */
  ackFloor(): number {
    let floor = this.#cursor;
    for (const seq of this.#outstanding.keys()) floor = Math.min(floor, seq);
    for (const seq of this.#redeliveries.keys()) floor = Math.min(floor, seq);
    return floor;
  }

  /** Hands out deliveries while some member has room; call whenever work or room appears. */
  pump(): void {
    if (this.#closed) return;
    // A handler may publish synchronously inside accept(), which pumps again: defer that run.
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (this.#deliverOne()) {}
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    this.#scheduleWake();
  }

  close(): void {
    this.#closed = true;
    for (const { ackTimer } of this.#outstanding.values()) clearTimeout(ackTimer);
    if (this.#wake) clearTimeout(this.#wake.timer);
    this.#wake = undefined;
    this.#members.length = 0;
  }

  #deliverOne(): boolean {
    const member = this.#memberWithRoom();
    if (!member) return false;
    const next = this.#nextDeliverable();
    if (!next) return false;
    this.#deliver(next.seq, next.deliveryCount + 1, member);
    return true;
  }

  /** Round-robin, so members of a group share the work. */
  #memberWithRoom(): GroupMember | undefined {
    const count = this.#members.length;
    for (let step = 0; step < count; step++) {
      const index = (this.#nextMember + step) % count;
      const member = this.#members[index]!;
      if (member.canAccept) {
        this.#nextMember = index + 1;
        return member;
      }
    }
    return undefined;
  }

  /** Due redeliveries first (oldest sequence first), then messages never delivered. */
  #nextDeliverable(): { seq: number; deliveryCount: number } | undefined {
    const now = Date.now();
    let due: number | undefined;
    for (const [seq, pending] of this.#redeliveries) {
      if (pending.dueAt <= now && (due === undefined || seq < due)) due = seq;
    }
    if (due !== undefined) {
      const { deliveryCount } = this.#redeliveries.get(due)!;
      this.#redeliveries.delete(due);
      return { seq: due, deliveryCount };
    }
    if (this.#cursor < this.#source.nextSeq) {
      return { seq: this.#cursor++, deliveryCount: 0 };
    }
    return undefined;
  }

  #deliver(seq: number, deliveryCount: number, member: GroupMember): void {
    const message = this.#source.message(seq)!;
    const attempt: Outstanding = {
      deliveryCount,
      ackTimer: setTimeout(() => this.#redeliverLater(seq, attempt, 0), this.#ackWaitMs).unref(),
    };
    this.#outstanding.set(seq, attempt);
    member.accept(
      {
        topic: this.#source.topic,
        id: message.id,
        key: message.key,
        data: decodePayload(message.payload),
        headers: { ...message.headers },
        deliveryCount,
      },
      {
        ack: () => this.#ack(seq, attempt),
        nak: (delayMs) => this.#redeliverLater(seq, attempt, delayMs),
      },
    );
  }

  #isCurrent(seq: number, attempt: Outstanding): boolean {
    // A settle that arrives after its attempt timed out is ignored, like an ack for a
    // redelivered message from a member JetStream already gave up on.
    return !this.#closed && this.#outstanding.get(seq) === attempt;
  }

  #ack(seq: number, attempt: Outstanding): void {
    if (!this.#isCurrent(seq, attempt)) return;
    clearTimeout(attempt.ackTimer);
    this.#outstanding.delete(seq);
    this.#source.acked(seq);
  }

  #redeliverLater(seq: number, attempt: Outstanding, delayMs: number): void {
    if (!this.#isCurrent(seq, attempt)) return;
    clearTimeout(attempt.ackTimer);
    this.#outstanding.delete(seq);
    this.#redeliveries.set(seq, { deliveryCount: attempt.deliveryCount, dueAt: Date.now() + delayMs });
    this.pump();
  }

  /** Wakes the group when the earliest backed-off redelivery falls due. */
  #scheduleWake(): void {
    const now = Date.now();
    let earliest: number | undefined;
    for (const { dueAt } of this.#redeliveries.values()) {
      if (dueAt > now && (earliest === undefined || dueAt < earliest)) earliest = dueAt;
    }
    if (earliest === undefined || (this.#wake && this.#wake.at <= earliest)) return;
    if (this.#wake) clearTimeout(this.#wake.timer);
    const timer = setTimeout(() => {
      this.#wake = undefined;
      this.pump();
    }, earliest - now).unref();
    this.#wake = { at: earliest, timer };
  }
}
