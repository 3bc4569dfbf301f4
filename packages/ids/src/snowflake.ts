/**
 * 64-bit, time-ordered message ids, unique across replicas: 41 bits of milliseconds since
 * the wagate epoch, 10 bits of worker id (one per api replica), 12 bits of sequence within
 * the millisecond. Written as decimal strings, as the wire contract requires.
 */
const EPOCH_MS = 1_767_225_600_000n; // 2026-01-01T00:00:00Z
const WORKER_BITS = 10n;
const SEQUENCE_BITS = 12n;
const MAX_WORKER = (1 << Number(WORKER_BITS)) - 1;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;

export interface IdGenerator {
  next(): string;
}

export function createIdGenerator(workerId: number, now: () => number = Date.now): IdGenerator {
  if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER) {
    throw new RangeError(`worker id must be an integer in 0..${MAX_WORKER}, got ${workerId}`);
  }
  let lastMs = -1;
  let sequence = 0;
  return {
    next() {
      let ms = now();
      // A clock that steps back would repeat ids: keep issuing from the last millisecond instead.
      if (ms < lastMs) ms = lastMs;
      if (ms === lastMs) {
        sequence = (sequence + 1) & MAX_SEQUENCE;
        if (sequence === 0) {
          // 4096 ids in one millisecond: borrow the next millisecond rather than spin.
          ms = lastMs + 1;
        }
      } else {
        sequence = 0;
      }
      lastMs = ms;
      const id =
        ((BigInt(ms) - EPOCH_MS) << (WORKER_BITS + SEQUENCE_BITS)) |
        (BigInt(workerId) << SEQUENCE_BITS) |
        BigInt(sequence);
      return id.toString();
    },
  };
}

/** The millisecond timestamp an id was issued at. */
export function idTimestampMs(id: string): number {
  return Number((BigInt(id) >> (WORKER_BITS + SEQUENCE_BITS)) + EPOCH_MS);
}
