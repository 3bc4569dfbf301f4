/**
 * Time-ordered message ids, unique across replicas, that every id fits in 53 bits so a plain
 * `JSON.parse` (a double) reads it exactly: 41 bits of milliseconds since the wagate epoch
 * (2026-01-01T00:00:00Z, enough until 2095-09-07), 5 bits of worker id (one per api replica:
 * 32 replicas), 7 bits of sequence within the millisecond (128 ids a millisecond, 128 000 a
 * second per worker; a burst above that borrows the following milliseconds, so ids stay
 * unique and increasing). Written as decimal strings, as the wire contract requires.
 *
 * Ids issued before this layout (2026-11-24 to 2026-12-06) used 10 worker and 12 sequence
 * bits; all of them are above 2^53 − 1 and every new id is below it, so the two never meet and
 * `idTimestampMs` reads either.
 */
const EPOCH_MS = 1_767_225_600_000n; // 2026-01-01T00:00:00Z
const TIMESTAMP_BITS = 41n;
const WORKER_BITS = 5n;
const SEQUENCE_BITS = 7n;
const MAX_WORKER = (1 << Number(WORKER_BITS)) - 1;
/** The largest worker id (`WAGATE_WORKER_ID`): one per api replica. */
export const MAX_WORKER_ID = MAX_WORKER;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;
const MAX_ELAPSED_MS = (1n << TIMESTAMP_BITS) - 1n;

/** The first layout's worker and sequence bits (41 + 10 + 12 = 63 bits). */
const LEGACY_LOW_BITS = 22n;
const MAX_SAFE_ID = BigInt(Number.MAX_SAFE_INTEGER);

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
          // 128 ids in one millisecond: borrow the next millisecond rather than spin.
          ms = lastMs + 1;
        }
      } else {
        sequence = 0;
      }
      lastMs = ms;
      const elapsed = BigInt(ms) - EPOCH_MS;
      if (elapsed < 0n || elapsed > MAX_ELAPSED_MS) {
        throw new RangeError(`the clock (${new Date(ms).toISOString()}) is outside the id layout's range`);
      }
      const id =
        (elapsed << (WORKER_BITS + SEQUENCE_BITS)) | (BigInt(workerId) << SEQUENCE_BITS) | BigInt(sequence);
      return id.toString();
    },
  };
}

/** The millisecond timestamp an id was issued at, for ids of either layout. */
export function idTimestampMs(id: string): number {
  const value = BigInt(id);
  const lowBits = value > MAX_SAFE_ID ? LEGACY_LOW_BITS : WORKER_BITS + SEQUENCE_BITS;
  return Number((value >> lowBits) + EPOCH_MS);
}
