import { parseArgs } from 'node:util';
import { openDatabase } from '@wagate/db';
import { migrateSchema, withSchema } from '@wagate/db';
import { bootstrapPlatform, PLATFORM_ACCOUNT_ID } from './accounts/bootstrap.js';
import { billingMigrations } from './db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from './db/tables.js';

const usage = `wagate — administration of a wagate deployment

  wagate bootstrap [--reseller-name NAME] [--database-url URL]
      On a fresh database: creates the platform account with an admin key and a first
      reseller with its own key, and prints both keys (shown this once). Refuses when the
      platform already has a key. The database is DATABASE_URL (postgres://… or pglite://DIR);
      with neither, the embedded gateway's ./data/pglite.
`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'reseller-name': { type: 'string', default: 'First reseller' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const command = positionals[0];
if (values.help || command === undefined || command === 'help') {
  process.stdout.write(usage);
} else if (command === 'bootstrap') {
  await bootstrap(
    values['database-url'] ?? process.env.DATABASE_URL ?? 'pglite://./data/pglite',
    values['reseller-name'],
  );
} else {
  process.stderr.write(`wagate: unknown command "${command}"\n\n${usage}`);
  process.exitCode = 2;
}

async function bootstrap(databaseUrl: string, resellerName: string): Promise<void> {
  const database = await openDatabase(databaseUrl);
  try {
    await migrateSchema(database, BILLING_SCHEMA, billingMigrations);
    const db = withSchema<BillingTables>(database, BILLING_SCHEMA);
    const existing = await db
      .selectFrom('api_keys')
      .select('id')
      .where('account_id', '=', PLATFORM_ACCOUNT_ID)
      .executeTakeFirst();
    if (existing) {
      process.stderr.write(
        'wagate: this database is already bootstrapped (the platform has a key); manage accounts and keys through /v1 with the platform key\n',
      );
      process.exitCode = 1;
      return;
    }
    const made = await bootstrapPlatform(db, { name: resellerName });
    process.stdout.write(
      [
        `platform account: ${made.platformAccountId}`,
        `platform admin key: ${made.platformKey}`,
        `reseller account: ${made.resellerAccountId} (${resellerName})`,
        `reseller key: ${made.resellerKey}`,
        'Keep these keys now: only their hashes are stored.',
        '',
      ].join('\n'),
    );
  } finally {
    await database.close();
  }
}
