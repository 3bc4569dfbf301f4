import type { Migration } from 'kysely/migration';

/** `2026-12-06T10:00_what_it_does`: the minute it was written, then what it does in snake_case. */
const MIGRATION_NAME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** The order kysely's Migrator runs migrations in (its default name comparator). */
export function migrationOrder(a: string, b: string): number {
  return a.localeCompare(b);
}

/**
 * What is wrong with a service's migration list, one sentence per fault (none: it is fine).
 * A list names each migration `<ISO minute>_<what it does>`, lists them in the order the
 * migrator runs them (by name), and gives each its own minute, so the list reads as the history
 * it is. `sharedMinutes` are groups of shipped migrations that already share a minute: renaming
 * a migration a database has run makes the migrator refuse that database, so they keep their
 * names (docs/decisions.md); a group must match exactly, so no new name can join one.
 */
export function migrationListProblems(
  migrations: Record<string, Migration>,
  sharedMinutes: readonly (readonly string[])[] = [],
): string[] {
  const problems: string[] = [];
  const names = Object.keys(migrations);
  const byMinute = new Map<string, string[]>();
  for (const name of names) {
    const minute = MIGRATION_NAME.exec(name)?.[1];
    if (minute === undefined) {
      problems.push(`${name}: expected <YYYY-MM-DDTHH:MM>_<snake_case>, e.g. 2026-12-06T10:00_add_rollouts`);
      continue;
    }
    byMinute.set(minute, [...(byMinute.get(minute) ?? []), name]);
  }
  const runOrder = [...names].sort(migrationOrder);
  const misplaced = names.findIndex((name, index) => name !== runOrder[index]);
  if (misplaced !== -1) {
    problems.push(
      `${names[misplaced]} is listed at position ${misplaced + 1}, but the migrator runs ${runOrder[misplaced]} there: list migrations in name order`,
    );
  }
  const allowed = new Set(sharedMinutes.map((group) => [...group].sort(migrationOrder).join(' ')));
  for (const [minute, sharing] of byMinute) {
    if (sharing.length > 1 && !allowed.has([...sharing].sort(migrationOrder).join(' '))) {
      problems.push(
        `${sharing.join(', ')} share the minute ${minute}: give a new migration a minute of its own`,
      );
    }
  }
  return problems;
}
