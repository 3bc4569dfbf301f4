import { createJetStreamBus, type JetStreamBusOptions } from './jetstream-bus.js';
import { createMemoryBus } from './memory-bus.js';
import type { Bus } from './port.js';

/**
 * Opens the bus a deployment names by URL: `memory://` for the embedded single-process
 * runtime, `nats://host:port[,nats://host:port...]` for JetStream (whose stream name and
 * subject prefix can be set, so several deployments or test runs share one NATS), or
 * `tls://host:port[,…]` to require TLS. Credentials and the CA come in `jetstream.connection`
 * (natsConnectionSettings).
 */
export async function openBus(
  url: string,
  jetstream: Pick<JetStreamBusOptions, 'streamName' | 'subjectPrefix' | 'connection' | 'stream'> = {},
): Promise<Bus> {
  if (url.startsWith('memory://')) return createMemoryBus();
  const servers = url.split(',').map((server) => server.trim());
  if (servers.length > 0 && servers.every((server) => /^(nats|tls):\/\/[^/,\s]+$/.test(server))) {
    const requireTls = servers.some((server) => server.startsWith('tls://'));
    const connection = { ...jetstream.connection };
    if (requireTls) connection.tls ??= {};
    return createJetStreamBus({ ...jetstream, servers, connection });
  }
  throw new Error(
    `unsupported bus URL "${redactPassword(url)}": expected memory://, nats://host:port[,…] or tls://host:port[,…]`,
  );
}

/** The URL goes into an error message, which may end up in logs. */
function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@\s]*):[^@/\s]*@/g, '//$1:***@');
}
