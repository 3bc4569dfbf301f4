import { databaseAdapters } from '@wagate/testkit';
import { runDatabaseContract } from './db-contract.js';

for (const adapter of databaseAdapters()) {
  runDatabaseContract(adapter.name, () => adapter.open(), adapter.openReplicas?.bind(adapter));
}
