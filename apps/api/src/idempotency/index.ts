// Idempotency-Key support for POST /whatsapp/messages: storage and rules, wired in by the routes.
// Call migrateIdempotency(database) once on start, then use createIdempotencyStore(database).
export { MAX_IDEMPOTENCY_KEY_LENGTH, requestBodyHash, validIdempotencyKey } from './key.js';
export {
  type BeginResult,
  createIdempotencyStore,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyStore,
  migrateIdempotency,
} from './store.js';
export { API_SCHEMA, type IdempotencyKeysTable, type IdempotencyTables } from './tables.js';
