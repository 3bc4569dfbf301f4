/**
 * Which PostgreSQL server the test kit creates its throwaway databases on, resolved once per
 * process, in this order:
 *   1. `process.env.DATABASE_URL` when set (CI, or a developer's own server);
 *   2. otherwise, when a Docker-compatible container runtime answers, a `postgres:15-alpine`
 *      container started via testcontainers (Ryuk removes it when the process exits);
 *   3. otherwise `postgres://postgres@127.0.0.1:5432/test` (a local server with trust auth).
 * The URL's database is only used as the admin connection for CREATE/DROP DATABASE.
 */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

let serverUrl: Promise<string> | undefined;

export function postgresServerUrl(): Promise<string> {
  serverUrl ??= resolveServerUrl();
  return serverUrl;
}

async function resolveServerUrl(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return fromEnv;
  return (await startContainer()) ?? LOCAL_POSTGRES_URL;
}

/** Undefined when no container runtime is available. Imported lazily: testcontainers is heavy. */
async function startContainer(): Promise<string | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15-alpine').start();
  return container.getConnectionUri();
}
