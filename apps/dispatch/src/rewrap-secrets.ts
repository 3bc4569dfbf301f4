/**
 * `npm run rewrap-secrets --workspace @wagate/dispatch`: seals rows still in plaintext and
 * re-wraps every secret under the first key of WAGATE_SECRET_KEYS — what each dispatch start
 * does — then says how many rows are left under other keys (0 means a retired key can go).
 * Reads DATABASE_URL and WAGATE_SECRET_KEYS like the service.
 */
import { readConfig } from '@wagate/config';
import { migrateSchema, openDatabase, withSchema } from '@wagate/db';
import { migrateOnlyVariables } from '@wagate/runtime';
import { dispatchMigrations } from './db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from './db/tables.js';
import { readSecretKeys, secretKeyVariables } from './webhooks/secret-keys.js';
import { sealWebhookSecretsAtRest } from './webhooks/webhook-secrets.js';

const config = readConfig({ DATABASE_URL: migrateOnlyVariables.DATABASE_URL, ...secretKeyVariables });
const keys = readSecretKeys(config);
const database = await openDatabase(config.DATABASE_URL);
try {
  await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
  const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
  const report = await sealWebhookSecretsAtRest(db, keys);
  const left = await db
    .selectFrom('webhook_secrets')
    .select((eb) => eb.fn.countAll<string>().as('rows'))
    .where((eb) => eb.or([eb('key_id', 'is', null), eb('key_id', '!=', keys.currentId)]))
    .executeTakeFirstOrThrow();
  process.stdout.write(
    `webhook secrets: ${report.sealed} sealed, ${report.rewrapped} re-wrapped under "${keys.currentId}", ` +
      `${left.rows} under another key\n`,
  );
} finally {
  await database.close();
}
