import { createIdGenerator } from '@wagate/ids';
import { type ApiApp, createApiApp } from '../app.js';
import type { Peers } from '../peers.js';
import { openApiConfig } from './config.js';

/**
 * The app with dependencies that throw when used: enough to list its routes, build its
 * document and serve `/openapi.json` and `/docs`, without network or database.
 */
export function createOfflineApiApp(options: { consoleDir?: string } = {}): ApiApp {
  const unused = new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(`the offline api app used a dependency (${String(property)}); it has none`);
      },
    },
  );
  return createApiApp({ peers: unused as Peers, ids: createIdGenerator(0), database: unused as never, ...options });
}

/**
 * The OpenAPI 3.1 document of the app as it is now, built offline. `packages/client` generates
 * its types from this (see its `scripts/update-openapi.ts`).
 */
export function openApiDocument(): Record<string, unknown> {
  return createOfflineApiApp().getOpenAPI31Document(openApiConfig) as unknown as Record<string, unknown>;
}
