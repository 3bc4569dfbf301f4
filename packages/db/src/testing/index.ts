// Fixtures for tests and benchmarks (`@wagate/db/testing`): throwaway databases on both
// adapters. Not used by service code.
export {
  createTemplateDatabase,
  type DatabaseAdapter,
  type DatabaseReplicas,
  databaseAdapters,
  type FreshPostgres,
  freshPostgresUrl,
  type TemplateDatabase,
} from './databases.js';
export { LOCAL_POSTGRES_URL, postgresServerUrl } from './postgres-server.js';
