// Fixtures for tests and benchmarks (`@wagate/db/testing`): throwaway databases on both
// adapters. Not used by service code.
export {
  type DatabaseAdapter,
  type DatabaseReplicas,
  databaseAdapters,
  type FreshPostgres,
  freshPostgresUrl,
} from './databases.js';
export { LOCAL_POSTGRES_URL, postgresServerUrl } from './postgres-server.js';
