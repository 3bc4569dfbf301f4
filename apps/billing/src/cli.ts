import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { issueDevelopmentPki, PKI_FILES, writeDevelopmentPki } from '@wagate/rpc/pki';
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

  wagate certs [--out DIR] [--agent-host NAME]… [--service-host NAME]… [--days N] [--force]
      Makes a development PKI for the gRPC planes (docs/security.md): an internal CA with one
      certificate per service (api, billing, templates, dispatch, fleet: the common name is
      the service's identity), and an agent-plane CA with fleet's agent-listener certificate
      for the names agents dial (--agent-host, default localhost and 127.0.0.1). Writes PEM
      files into DIR (default ./certs; private keys mode 0600) and refuses to overwrite them
      without --force. For development, tests and evaluation: production uses a CA the
      operator controls.
`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'reseller-name': { type: 'string', default: 'First reseller' },
    'database-url': { type: 'string' },
    out: { type: 'string', default: './certs' },
    'agent-host': { type: 'string', multiple: true },
    'service-host': { type: 'string', multiple: true },
    days: { type: 'string', default: '90' },
    force: { type: 'boolean', default: false },
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
} else if (command === 'certs') {
  await certs(values.out, {
    agentHosts: values['agent-host'],
    serviceHosts: values['service-host'],
    days: values.days,
    force: values.force,
  });
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

async function certs(
  out: string,
  options: { agentHosts: string[] | undefined; serviceHosts: string[] | undefined; days: string; force: boolean },
): Promise<void> {
  const validDays = Number(options.days);
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > 3650) {
    process.stderr.write('wagate: --days must be a whole number of days from 1 to 3650\n');
    process.exitCode = 2;
    return;
  }
  const directory = resolve(out);
  if (!options.force && existsSync(join(directory, PKI_FILES.internalCa))) {
    process.stderr.write(`wagate: ${directory} already holds a PKI; pass --force to replace it (running services pick new files up within a minute)\n`);
    process.exitCode = 1;
    return;
  }
  const pki = await issueDevelopmentPki({
    validDays,
    ...(options.agentHosts ? { agentHosts: ['localhost', '127.0.0.1', ...options.agentHosts] } : {}),
    ...(options.serviceHosts ? { serviceHosts: ['localhost', '127.0.0.1', ...options.serviceHosts] } : {}),
  });
  const written = writeDevelopmentPki(directory, pki);
  process.stdout.write(
    [
      `wrote ${written.length} files to ${directory} (valid ${validDays} days):`,
      ...written.map((path) => `  ${path}`),
      'Each service: WAGATE_TLS_CA_FILE=internal-ca.pem, WAGATE_TLS_CERT_FILE=<service>.pem, WAGATE_TLS_KEY_FILE=<service>.key.',
      'Fleet agent plane: WAGATE_AGENT_TLS_CERT_FILE=fleet-agent-plane.pem, WAGATE_AGENT_TLS_KEY_FILE=fleet-agent-plane.key.',
      'Device agents: WAGATE_FLEET_CA_FILE=agent-ca.pem. Keep the *.key files secret; the CA keys sign new certificates.',
      '',
    ].join('\n'),
  );
}
