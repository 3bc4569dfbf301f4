import { apiMigrations } from '@wagate/api';
import { billingMigrations } from '@wagate/billing';
import { migrationListProblems } from '@wagate/db';
import { dispatchMigrations } from '@wagate/dispatch';
import { fleetMigrations } from '@wagate/fleet';
import { templatesMigrations } from '@wagate/templates';
import { expect, test } from 'vitest';

/**
 * Migrations that shipped sharing a minute. Databases have run them under these names, and the
 * migrator refuses a database whose executed migrations it no longer finds, so they keep them
 * (docs/decisions.md, "Frozen, ordered migrations"). Never add to this list: give a new
 * migration a minute of its own.
 */
const SHIPPED_SHARED_MINUTES: Record<string, string[][]> = {
  api: [['2026-12-06T10:00_console_sessions', '2026-12-06T10:00_idempotency_leases']],
  billing: [],
  dispatch: [
    ['2026-12-01T23:00_rate_buckets', '2026-12-01T23:00_webhook_endpoints'],
    ['2026-12-06T10:00_pending_callback_indexes', '2026-12-06T10:00_webhook_secrets_sealed'],
  ],
  fleet: [['2026-12-06T10:00_queued_jobs_index', '2026-12-06T10:00_vm_commands']],
  templates: [],
};

const services = {
  api: apiMigrations,
  billing: billingMigrations,
  dispatch: dispatchMigrations,
  fleet: fleetMigrations,
  templates: templatesMigrations,
};

test.each(Object.entries(services))(
  "%s's migrations are listed in the order they run, each at a minute of its own",
  (service, migrations) => {
    expect(migrationListProblems(migrations, SHIPPED_SHARED_MINUTES[service])).toEqual([]);
  },
);
