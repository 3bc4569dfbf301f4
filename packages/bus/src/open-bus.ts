import { createJetStreamBus, type JetStreamBusOptions } from './jetstream-bus.js';
import { createMemoryBus } from './memory-bus.js';
import type { Bus } from './port.js';

/**
 * Opens the bus a deployment names by URL: `memory://` for the embedded single-process
 * runtime, `nats://host:port[,nats://host:port...]` for JetStream (whose stream name and
 * subject prefix can be set, so several deployments or test runs share one NATS).
 */
export async function openBus(
  url: string,
  jetstream: Pick<JetStreamBusOptions, 'streamName' | 'subjectPrefix' | 'stream'> = {},
): Promise<Bus> {
  if (url.startsWith('memory://')) return createMemoryBus();
  const servers = url.split(',').map((server) => server.trim());
  if (servers.length > 0 && servers.every((server) => /^nats:\/\/[^/,\s]+$/.test(server))) {
    return createJetStreamBus({ servers, ...jetstream });
  }
  throw new Error(
    `unsupported bus URL "${redactPassword(url)}": expected memory:// or nats://host:port[,nats://host:port...]`,
  );
}

/** The URL goes into an error message, which may end up in logs. */
function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@\s]*):[^@/\s]*@/g, '//$1:***@');
}
