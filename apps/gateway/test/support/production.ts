import { openDatabase } from '@wagate/db';
import { startProductionRuntime } from '@wagate/testkit';
import { test as baseTest } from 'vitest';

/**
 * vitest's `test` with a `runtime` fixture, the production services as separate processes
 * without a device agent (messages are accepted and queued, none is sent), one per test file;
 * and `db`, a connection to that runtime's database. Both are closed after the file.
 */
export const test = baseTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; it has none.
  .extend('runtime', { scope: 'file' }, async ({}, { onCleanup }) => {
    const runtime = await startProductionRuntime({
      services: ['billing', 'templates', 'fleet', 'dispatch', 'api'],
    });
    onCleanup(() => runtime.close());
    return runtime;
  })
  .extend('db', { scope: 'file' }, async ({ runtime }, { onCleanup }) => {
    const db = await openDatabase(runtime.wiring.databaseUrl);
    onCleanup(() => db.close());
    return db;
  });
