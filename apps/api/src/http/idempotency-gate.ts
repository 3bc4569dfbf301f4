import type { Database } from '@wagate/db';
import { RequestErrorKey } from '@wagate/errors';
import { createLogger } from '@wagate/telemetry';
import { ApiError } from '../errors/api-error.js';
import { ApiErrorKey } from '../errors/catalogue.js';
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

export interface IdempotencyGate {
  /**
   * Handles a request that carries an `Idempotency-Key`: the first request with (account, key)
   * runs `handle` and its response is kept; a retry with the same body gets that response
   * again without running anything; another body, or a retry while the first still runs, is a
   * 409. When `handle` throws, the key is released only if `safeToRetry(error)` says nothing
   * can have been sent; otherwise it stays claimed (a retry gets 409 `idempotency.in.progress`)
   * until it expires, because re-running could send twice.
   */
  run(
    request: { accountId: string; key: string; rawBody: string },
    handle: () => Promise<StoredResponse>,
    safeToRetry: (error: unknown) => boolean,
  ): Promise<StoredResponse & { replayed: boolean }>;
}

/**
 * The api's use of the idempotency store. Creating it does not touch the database (so the OpenAPI
 * document can be built offline); the `api` schema is migrated before the first key is used, and expired keys
 * are purged at most once per `purgeEveryMs`, piggybacking on requests — no timer to stop.
 */
export function createIdempotencyGate(database: Database, purgeEveryMs = 60 * 60 * 1000): IdempotencyGate {
  let created: IdempotencyStore | undefined;
  const store = () => {
    created ??= createIdempotencyStore(database);
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
        throw ApiError.of(
          400,
          RequestErrorKey.Invalid,
          `Idempotency-Key must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, e.g. a UUID`,
          'Idempotency-Key',
        );
      }
      await ready();
      const begun = await store().begin(accountId, key, requestBodyHash(rawBody));
      if (begun.kind === 'replay') return { status: begun.status, body: begun.body, replayed: true };
      if (begun.kind === 'conflict') {
        throw ApiError.of(
          409,
          ApiErrorKey.IdempotencyConflict,
          'this Idempotency-Key was already used with a different body in the last 24 hours; use a new key for a new request',
          'Idempotency-Key',
        );
      }
      if (begun.kind === 'in-progress') {
        throw new ApiError(
          409,
          [{ key: ApiErrorKey.IdempotencyInProgress, ref: 'Idempotency-Key' }],
          'a request with this Idempotency-Key is still being handled; retry in a moment to get its response',
          { 'retry-after': '1' },
        );
      }

      let response: StoredResponse;
      try {
        response = await handle();
      } catch (error) {
        if (safeToRetry(error)) {
          await store()
            .abandon(accountId, key)
            .catch((abandonError: unknown) => {
              log.warn({ err: abandonError }, 'could not release an idempotency key');
            });
        } else {
          log.warn(
            { err: error },
            'a send failed after dispatch may have accepted it; its idempotency key stays claimed',
          );
        }
        throw error;
      }
      // The messages are on their way whatever happens now: answer even if the key cannot be recorded.
      await store()
        .complete(accountId, key, response.status, response.body)
        .catch((error: unknown) => {
          log.error(
            { err: error },
            'could not record an idempotent response; retries of this key will get 409',
          );
        });
      purgeNowAndThen();
      return { ...response, replayed: false };
    },
  };
}
