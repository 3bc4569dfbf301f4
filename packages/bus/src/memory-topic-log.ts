import { ConsumerGroup, type GroupSource, type StoredMessage } from './memory-consumer-group.js';
import type { Topic } from './port.js';

/**
 * One topic's retained messages and its consumer groups. Messages stay until every group
 * has acked them; while a topic has no group at all they are all kept, so a group created
 * later still starts from the beginning, as a durable JetStream consumer with deliver
 * policy "all" would.
 */
export class TopicLog implements GroupSource {
  readonly topic: Topic;
  readonly #messages = new Map<number, StoredMessage>();
  readonly #groups = new Map<string, ConsumerGroup>();
  #firstSeq = 1;
  #nextSeq = 1;

  constructor(topic: Topic) {
    this.topic = topic;
  }

  get firstSeq(): number {
    return this.#firstSeq;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  message(seq: number): StoredMessage | undefined {
    return this.#messages.get(seq);
  }

  append(message: StoredMessage): void {
    this.#messages.set(this.#nextSeq++, message);
    for (const group of this.#groups.values()) group.pump();
  }

  group(name: string): ConsumerGroup {
    let group = this.#groups.get(name);
    if (!group) {
      group = new ConsumerGroup(this);
      this.#groups.set(name, group);
    }
    return group;
  }

  acked(seq: number): void {
    // Only an ack of the oldest retained message can let the retained window move.
    if (seq === this.#firstSeq) this.#dropAckedByAll();
  }

  close(): void {
    for (const group of this.#groups.values()) group.close();
  }

  #dropAckedByAll(): void {
    let floor = this.#nextSeq;
    for (const group of this.#groups.values()) floor = Math.min(floor, group.ackFloor());
    while (this.#firstSeq < floor) this.#messages.delete(this.#firstSeq++);
  }
}
