import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import {
  type AutomationDriver,
  type AutomationDriverOptions,
  type AutomationPhone,
  createAutomationDriver,
} from './automation-driver.js';
import { createAutomationRoutes } from './http-routes.js';
import { PhoneTokens } from './phone-tokens.js';

export interface AutomationServerOptions extends AutomationDriverOptions {
  phones: AutomationPhone[];
  /** Where the phones reach the agent. Default `0.0.0.0` (every interface), port 8088. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** The longest long-poll a phone may ask for. Default 60 s. */
  maxWaitSeconds?: number;
}

export interface AutomationServer {
  /** One driver per phone, for the agent. */
  readonly drivers: AutomationDriver[];
  /** e.g. `http://127.0.0.1:8088`. */
  readonly url: string;
  /** Fails the jobs that are out, ends the polls, and stops listening. */
  close(): Promise<void>;
}

/** Starts the HTTP server automation-app phones poll, with a driver for each configured phone. */
export async function startAutomationServer(options: AutomationServerOptions): Promise<AutomationServer> {
  if (options.phones.length === 0) throw new RangeError('the automation driver needs at least one phone');
  const drivers = options.phones.map((phone) => createAutomationDriver(phone, options));
  const app = createAutomationRoutes({
    tokens: new PhoneTokens(options.phones),
    drivers: new Map(drivers.map((driver) => [driver.info.deviceKey, driver])),
    maxWaitSeconds: options.maxWaitSeconds ?? 60,
  });
  const host = options.host ?? '0.0.0.0';
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8088 }, (info) =>
      resolve({ server, port: info.port }),
    ) as Server;
    server.once('error', reject);
  });
  let closed: Promise<void> | undefined;
  return {
    drivers,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close() {
      closed ??= (async () => {
        // Ending the polls first lets their connections finish instead of being cut.
        await Promise.all(drivers.map((driver) => driver.close()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
      })();
      return closed;
    },
  };
}
