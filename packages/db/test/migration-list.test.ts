import { describe, expect, test } from 'vitest';
import { migrationListProblems } from '../src/migration-list.js';

const up = { async up() {} };
const list = (...names: string[]) => Object.fromEntries(names.map((name) => [name, up]));

describe('migration list rules', () => {
  test('a list in name order, one migration a minute, is fine', () => {
    expect(migrationListProblems(list('2026-11-24T00:00_accounts', '2026-11-24T09:00_balances'))).toEqual([]);
  });

  test('refuses a list whose order differs from the order the migrator runs it in', () => {
    expect(
      migrationListProblems(
        list('2026-11-24T00:00_accounts', '2026-12-01T23:00_webhooks', '2026-12-01T00:00_windows'),
      ),
    ).toEqual([
      '2026-12-01T23:00_webhooks is listed at position 2, but the migrator runs 2026-12-01T00:00_windows there: list migrations in name order',
    ]);
  });

  test('refuses two migrations sharing a minute', () => {
    expect(migrationListProblems(list('2026-12-06T10:00_indexes', '2026-12-06T10:00_rollouts'))).toEqual([
      '2026-12-06T10:00_indexes, 2026-12-06T10:00_rollouts share the minute 2026-12-06T10:00: give a new migration a minute of its own',
    ]);
  });

  test('lets a shipped pair keep its shared minute, but no third migration join it', () => {
    const shipped = [['2026-12-06T10:00_indexes', '2026-12-06T10:00_secrets']] as const;
    expect(
      migrationListProblems(list('2026-12-06T10:00_indexes', '2026-12-06T10:00_secrets'), shipped),
    ).toEqual([]);
    expect(
      migrationListProblems(
        list('2026-12-06T10:00_indexes', '2026-12-06T10:00_more', '2026-12-06T10:00_secrets'),
        shipped,
      ),
    ).toHaveLength(1);
  });

  test('refuses a name that does not start with its minute', () => {
    expect(migrationListProblems(list('0001_outbox'))).toEqual([
      '0001_outbox: expected <YYYY-MM-DDTHH:MM>_<snake_case>, e.g. 2026-12-06T10:00_add_rollouts',
    ]);
  });
});
