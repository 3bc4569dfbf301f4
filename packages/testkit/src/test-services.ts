import { Socket } from 'node:net';
import { LOCAL_POSTGRES_URL } from '@wagate/db/testing';

/**
 * The servers the tests run against, made sure of once per `vitest run` (a globalSetup, see
 * `global-setup/`), before any test starts:
 *   1. `DATABASE_URL` / `NATS_URL` when set, else the machine's own (127.0.0.1:5432, :4222),
 *      when something answers there;
 *   2. otherwise, when a Docker-compatible runtime answers, containers started by
 *      testcontainers (`postgres:15-alpine`; `nats:2.9-alpine` with JetStream), stopped after
 *      the run (and by Ryuk should the run die);
 *   3. otherwise the run stops at once, saying what to install, instead of failing test by test.
 * A URL that was set explicitly and does not answer stops the run too: it is not replaced.
 * The URLs are put in `process.env`, which the test workers inherit.
 */

export type TestService = 'postgres' | 'nats';

interface ServiceSpec {
  name: string;
  env: 'DATABASE_URL' | 'NATS_URL';
  localUrl: string;
  defaultPort: number;
  install: string;
  start(): Promise<{ url: string; stop(): Promise<unknown> }>;
}

const SERVICES: Record<TestService, ServiceSpec> = {
  postgres: {
    name: 'PostgreSQL',
    env: 'DATABASE_URL',
    localUrl: LOCAL_POSTGRES_URL,
    defaultPort: 5432,
    install:
      'install PostgreSQL 15 or later (Debian: `apt-get install postgresql`), start it with trust auth for the user postgres, or set DATABASE_URL to a server you can create databases on',
    async start() {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:15-alpine').start();
      return { url: container.getConnectionUri(), stop: () => container.stop() };
    },
  },
  nats: {
    name: 'NATS with JetStream',
    env: 'NATS_URL',
    localUrl: 'nats://127.0.0.1:4222',
    defaultPort: 4222,
    install:
      'install nats-server 2.9 or later (Debian: `apt-get install nats-server`) and run `nats-server -js`, or set NATS_URL',
    async start() {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer('nats:2.9-alpine')
        .withCommand(['-js'])
        .withExposedPorts(4222)
        .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
        .start();
      return {
        url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`,
        stop: () => container.stop(),
      };
    },
  },
};

/** Makes sure of `needed` (see above); resolves to the teardown that stops any container started. */
export async function ensureTestServices(
  needed: readonly TestService[],
  options: {
    env?: NodeJS.ProcessEnv;
    /** Where a server of this machine would be (tests of this function point it elsewhere). */
    localUrls?: Partial<Record<TestService, string>>;
    containerRuntime?: () => Promise<boolean>;
  } = {},
): Promise<() => Promise<void>> {
  const env = options.env ?? process.env;
  const containerRuntime = options.containerRuntime ?? containerRuntimeAnswers;
  const unreachable: Array<{ spec: ServiceSpec; url: string; explicit: boolean }> = [];
  for (const service of needed) {
    const spec = SERVICES[service];
    const url = env[spec.env] || options.localUrls?.[service] || spec.localUrl;
    if (await answers(url, spec.defaultPort)) env[spec.env] = url;
    else unreachable.push({ spec, url, explicit: Boolean(env[spec.env]) });
  }
  if (unreachable.length === 0) return async () => {};

  const explicit = unreachable.filter((service) => service.explicit);
  const runtime = explicit.length === 0 && (await containerRuntime());
  if (!runtime) {
    const lines = unreachable.map(
      ({ spec, url, explicit: isExplicit }) =>
        `  - ${spec.name}: nothing answers at ${url}${isExplicit ? ` (${spec.env})` : ` (${spec.env} is unset)`}; ${spec.install}.`,
    );
    throw new Error(
      [
        `The tests need ${unreachable.map(({ spec }) => spec.name).join(' and ')}, and ${
          explicit.length > 0
            ? 'a URL set for it does not answer'
            : 'no Docker-compatible runtime answers to start it'
        }:`,
        ...lines,
        explicit.length > 0
          ? '  Fix or unset the URL (unset, a local server or Docker is used).'
          : '  Or install Docker (or a compatible runtime): testcontainers then starts postgres:15-alpine and nats:2.9-alpine (-js) for the run.',
      ].join('\n'),
    );
  }
  const started = await Promise.all(unreachable.map(({ spec }) => spec.start().then((c) => ({ spec, c }))));
  for (const { spec, c } of started) env[spec.env] = c.url;
  return async () => {
    await Promise.all(started.map(({ c }) => c.stop()));
  };
}

async function containerRuntimeAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Whether a TCP connection to the URL's host and port opens within 3 s. */
function answers(url: string, defaultPort: number): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    port = Number(parsed.port) || defaultPort;
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(3_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}
