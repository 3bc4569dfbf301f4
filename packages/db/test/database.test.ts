import { databaseAdapters } from '../src/testing/index.js';
import { runDatabaseContract } from './db-contract.js';

for (const adapter of databaseAdapters()) {
  runDatabaseContract(adapter.name, () => adapter.open(), adapter.openReplicas?.bind(adapter));
}
