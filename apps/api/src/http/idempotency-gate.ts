import type { Database } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import { createLogger } from '@wagate/telemetry';
import {
  createIdempotencyStore,
  type IdempotencyStore,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  migrateIdempotency,
  requestBodyHash,
  validIdempotencyKey,
} from '../idempotency/index.js';

const log = createLogger('api:idempotency');

export interface StoredResponse {
  status: number;
  /** The JSON body exactly as sent, so a replay is byte for byte the first answer. */
  body: string;
}

/** Where a request resumes from, and how it records that before it calls any peer. */
export interface Recovery<Point> {
  /** What an earlier attempt of this request saved; undefined on a first attempt (or if it saved nothing). */
  saved: Point | undefined;
  /** Saves the recovery point; throws 409 in progress if a retry took the key over meanwhile. */
  save(point: Point): Promise<void>;
}

export interface IdempotencyGate {
  /**
   * Handles a request that carries an `Idempotency-Key`: the first request with (account, key)
   * runs `handle` and its response is kept; a retry with the same body gets that response
   * again without running anything; another body, or a retry while the first still holds the
   * key's lease, is a 409. A retry after the lease lapsed (the first request's api died) or was
   * given up runs `handle` again with the recovery point the first saved, so it repeats the
   * same work rather than new work. When `handle` throws, a first attempt that `safeToRetry`
   * says sent nothing frees the key; otherwise the lease is given up, and the next retry resumes.
   */
  run<Point>(
    request: { accountId: string; key: string; rawBody: string },
    handle: (recovery: Recovery<Point>) => Promise<StoredResponse>,
    safeToRetry: (error: unknown) => boolean,
  ): Promise<StoredResponse & { replayed: boolean }>;
}

function inProgress(): DomainError {
  return new DomainError(
    ErrorKey.IdempotencyInProgress,
    'a request with this Idempotency-Key is still being handled; retry in a moment to get its response',
    { ref: 'Idempotency-Key' },
  );
}

/**
 * The api's use of the idempotency store. Creating it does not touch the database (so the OpenAPI
 * document can be built offline); the `api` schema is migrated before the first key is used, and expired keys
 * are purged at most once per `purgeEveryMs`, piggybacking on requests — no timer to stop.
 */
export function createIdempotencyGate(
  database: Database,
  options: { purgeEveryMs?: number; leaseMs?: number } = {},
): IdempotencyGate {
  const purgeEveryMs = options.purgeEveryMs ?? 60 * 60 * 1000;
  let created: IdempotencyStore | undefined;
  const store = () => {
    created ??= createIdempotencyStore(database, options.leaseMs);
    return created;
  };
  let migrated: Promise<void> | undefined;
  const ready = () => {
    migrated ??= migrateIdempotency(database).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    });
    return migrated;
  };
  let lastPurge = Date.now();
  const purgeNowAndThen = () => {
    if (Date.now() - lastPurge < purgeEveryMs) return;
    lastPurge = Date.now();
    store()
      .purgeExpired()
      .then((count) => log.debug({ count }, 'expired idempotency keys purged'))
      .catch((error: unknown) => log.warn({ err: error }, 'purging expired idempotency keys failed'));
  };

  return {
    async run({ accountId, key, rawBody }, handle, safeToRetry) {
      if (!validIdempotencyKey(key)) {
        throw new DomainError(
          ErrorKey.Invalid,
          `Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, e.g. a UUID`,
          { ref: 'Idempotency-Key' },
        );
      }
      await ready();
      const begun = await store().begin(accountId, key, requestBodyHash(rawBody));
      if (begun.kind === 'replay') return { status: begun.status, body: begun.body, replayed: true };
      if (begun.kind === 'conflict') {
        throw new DomainError(
          ErrorKey.IdempotencyConflict,
          'this Idempotency-Key was already used with a different body in the last 24 hours; use a new key for a new request',
          { ref: 'Idempotency-Key' },
        );
      }
      if (begun.kind === 'in-progress') throw inProgress();

      const { lock } = begun;
      const recovery = {
        saved: begun.kind === 'resume' ? ((begun.recoveryPoint ?? undefined) as never) : undefined,
        async save(point: unknown) {
          if (!(await store().saveRecoveryPoint(accountId, key, lock, point))) throw inProgress();
        },
      };
      let response: StoredResponse;
      try {
        response = await handle(recovery);
      } catch (error) {
        // A resumed request may repeat work an earlier attempt did: only a first attempt that did
        // nothing frees the key. Otherwise the next retry resumes, from the same recovery point.
        const settle =
          begun.kind === 'new' && safeToRetry(error)
            ? store().abandon(accountId, key, lock)
            : store().unlock(accountId, key, lock);
        await settle.catch((settleError: unknown) => {
          log.warn({ err: settleError }, 'could not give up an idempotency key; a retry takes it over when its lease lapses');
        });
        throw error;
      }
      // The messages are on their way whatever happens now: answer even if the key cannot be recorded.
      await store()
        .complete(accountId, key, response.status, response.body)
        .catch((error: unknown) => {
          log.error(
            { err: error },
            'could not record an idempotent response; a retry resumes the request with the same message ids',
          );
        });
      purgeNowAndThen();
      return { ...response, replayed: false };
    },
  };
}
