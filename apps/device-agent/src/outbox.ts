import type { fleet } from '@wagate/contracts';

/**
 * One message waiting for the stream. `durable` messages (results, receipts, inbound
 * messages) wait across reconnects, because the fleet cannot learn them any other way;
 * the rest (credits, heartbeats) only mean something on the stream they were made for.
 */
export interface OutboxItem {
  /** What it is, for logs: `result`, `receipt`, `credit`... */
  label: string;
  durable: boolean;
  /** Builds the message when it is about to be written, so it carries the current device id. */
  build(): fleet.AgentMessage | undefined;
}

/** The state of one `Connect` stream, as the outbox sees it. */
export interface StreamState {
  /** Set once the fleet has welcomed the agent: only then may anything but `hello` go out. */
  welcomed: boolean;
  closed: boolean;
  /**
   * The fleet acks numbered reports (its welcome said so): a durable message is numbered and
   * kept in `unacked` until the fleet has stored it, not just until it was written.
   */
  acksReports?: boolean;
  /** Durable messages of this stream the fleet has not acked yet, by report number (in order). */
  unacked?: Map<string, OutboxItem>;
  /** The last report number given on this stream. */
  lastReportSeq?: number;
}

/**
 * What the agent has to tell the fleet, in the order it happened. A bounded queue: when
 * the fleet is away for long, the oldest durable messages give way (`onDrop`); a lost
 * result is still recoverable, because the fleet re-offers the job and the agent answers
 * from its memory of completed jobs.
 */
export class Outbox {
  #items: OutboxItem[] = [];
  #durable = 0;
  #wake: () => void = () => {};
  #changed: Promise<void> = this.#next();

  constructor(
    private readonly maxDurable: number,
    private readonly onDrop: (item: OutboxItem) => void,
  ) {}

  get length(): number {
    return this.#items.length;
  }

  push(item: OutboxItem): void {
    this.#items.push(item);
    if (item.durable) this.#durable += 1;
    while (this.#durable > this.maxDurable) {
      const index = this.#items.findIndex((candidate) => candidate.durable);
      const [dropped] = this.#items.splice(index, 1);
      this.#durable -= 1;
      if (dropped) this.onDrop(dropped);
    }
    this.notify();
  }

  /** Forgets credits and heartbeats of a stream that has ended. */
  dropStreamItems(): void {
    this.#items = this.#items.filter((item) => item.durable);
  }

  /** The fleet stored report `reportSeq` of this stream: it is not sent again. */
  acknowledge(state: StreamState, reportSeq: string): void {
    state.unacked?.delete(reportSeq);
  }

  /**
   * A stream ended: what it carried that the fleet never acked (the fleet process may have
   * died holding it) goes back to the front, in its order, for the next stream — to whichever
   * fleet replica that is. The fleet recognises repeats (job ids, message statuses, device
   * message keys).
   */
  requeueUnacked(state: StreamState): void {
    const unacked = [...(state.unacked?.values() ?? [])];
    state.unacked?.clear();
    if (unacked.length === 0) return;
    this.#items.unshift(...unacked);
    this.#durable += unacked.length;
    this.notify();
  }

  /** Wakes every stream waiting for messages, e.g. because its state changed. */
  notify(): void {
    this.#wake();
    this.#changed = this.#next();
  }

  /**
   * The request side of one `Connect` stream: `hello`, then (once welcomed) whatever is
   * queued, until the stream closes. Items are taken only as gRPC asks for them, so what
   * a dead stream never took is still here for the next one.
   */
  async *stream(state: StreamState, hello: fleet.AgentMessage): AsyncGenerator<fleet.AgentMessage> {
    yield hello;
    while (!state.closed) {
      const item = state.welcomed ? this.#items.shift() : undefined;
      if (!item) {
        await this.#changed;
        continue;
      }
      if (item.durable) this.#durable -= 1;
      let message = item.build();
      if (!message) {
        this.onDrop(item);
        continue;
      }
      if (item.durable && state.acksReports) {
        // Kept until the fleet acks it, written or not: requeueUnacked sends it again.
        state.lastReportSeq = (state.lastReportSeq ?? 0) + 1;
        const reportSeq = String(state.lastReportSeq);
        state.unacked ??= new Map();
        state.unacked.set(reportSeq, item);
        message = { ...message, reportSeq };
        yield message;
        continue;
      }
      let written = false;
      try {
        yield message;
        // gRPC asks for the next message only after it has written this one.
        written = true;
      } finally {
        // The stream was abandoned with this message in hand, so it may never have left: a
        // durable one goes back to the front for the next stream. At least once, then, and
        // the fleet recognises repeats (job ids, device message keys).
        if (!written && item.durable) {
          this.#items.unshift(item);
          this.#durable += 1;
        }
      }
    }
  }

  #next(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}
