/**
 * Which PostgreSQL server the test kit creates its throwaway databases on: `DATABASE_URL`,
 * else `postgres://postgres@127.0.0.1:5432/test` (a local server with trust auth). Each
 * package's vitest globalSetup (`@wagate/testkit/global-setup/*`) has made sure before the run
 * that it answers — or started one with testcontainers and set `DATABASE_URL` — or stopped the
 * run saying what to install. The URL's database is only the admin connection for CREATE/DROP.
 */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

let serverUrl: Promise<string> | undefined;

export function postgresServerUrl(): Promise<string> {
  serverUrl ??= resolveServerUrl();
  return serverUrl;
}

async function resolveServerUrl(): Promise<string> {
  return process.env.DATABASE_URL || LOCAL_POSTGRES_URL;
}
