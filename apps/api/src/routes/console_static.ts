import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { errorResponses } from '../schemas/common.js';
import type { ApiApp } from './types.js';

/**
 * Where `npm run build --workspace @wagate/console` writes the console (apps/console/dist),
 * found from this file in the repo; a bundled production image says where with WAGATE_CONSOLE_DIR.
 */
export const defaultConsoleDir = (): string => resolve(import.meta.dirname, '../../../console/dist');

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The page may load only its own files and talk only to this origin; no framing. */
const pageSecurityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const notBuilt = (dir: string) =>
  `<!doctype html><html lang="en"><title>wagate console not built</title><body><h1>The console is not built</h1>` +
  `<p>Build it with <code>npm run build --workspace @wagate/console</code> (it writes ${dir.replace(/[<>&]/g, '')}); ` +
  '<code>npm start</code> builds it when it is missing.</p></body></html>';

const html = (description: string) => ({
  description,
  content: {
    'text/html': { schema: z.string().openapi({ description: 'HTML.', example: '<!doctype html>…' }) },
  },
});

export const rootRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['System'],
  operationId: 'root',
  security: [],
  summary: 'Leads to the console',
  description: 'Redirects to `/console/`. No API key.',
  responses: { 302: { description: 'To `/console/`.' } },
});

export const consoleRedirectRoute = createRoute({
  method: 'get',
  path: '/console',
  tags: ['System'],
  operationId: 'consoleRedirect',
  security: [],
  summary: 'The console (without the slash)',
  description: "Redirects to `/console/`, so the page's relative links resolve. No API key.",
  responses: { 301: { description: 'To `/console/`.' } },
});

export const consolePageRoute = createRoute({
  method: 'get',
  path: '/console/',
  tags: ['System'],
  operationId: 'consolePage',
  security: [],
  summary: 'The console',
  description:
    'The web console for tenants, resellers and operators (docs/console.md), built from apps/console. No API key: ' +
    'it signs in with `POST /v1/session` and then calls `/v1` like any client.',
  responses: {
    200: html('The page.'),
    503: html('The console is not built here; the page says how to build it.'),
  },
});

export const consoleAssetRoute = createRoute({
  method: 'get',
  path: '/console/assets/{file}',
  tags: ['System'],
  operationId: 'consoleAsset',
  security: [],
  summary: 'A file of the console',
  description: 'Scripts and styles of the built console, with hashed names (cached for a year). No API key.',
  request: {
    params: z.object({
      file: z
        .string()
        .openapi({
          param: { name: 'file', in: 'path' },
          description: 'The file.',
          example: 'index-v4xDZ_f5.js',
        }),
    }),
  },
  responses: {
    200: {
      description: 'The file, with the type of its extension.',
      content: Object.fromEntries(
        Object.values(contentTypes).map((type) => [
          type.split(';')[0]!,
          { schema: z.string().openapi({ description: 'The file.', example: '…' }) },
        ]),
      ),
    },
    404: errorResponses(404)[404],
  },
});

/**
 * The console's static files at `/console/` (built by Vite; hashed asset names are cached for
 * good, the page never), and `GET /` leading there. No API key: the page signs in through
 * `/v1/session` and then talks to `/v1` like any client.
 */
export function registerConsole(app: ApiApp, dir: string = defaultConsoleDir()): void {
  app.openapi(rootRoute, (c) => c.redirect('/console/', 302));
  app.openapi(consoleRedirectRoute, (c) => c.redirect('/console/', 301));
  app.openapi(consolePageRoute, async (c) => {
    const page = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
    if (page === undefined) return c.html(notBuilt(dir), 503);
    return c.html(page, 200, { ...pageSecurityHeaders, 'cache-control': 'no-cache' });
  });
  app.openapi(consoleAssetRoute, async (c) => {
    const { file } = c.req.valid('param');
    // Vite's asset names only: no path separators, no dot-dot.
    const type = /^[\w-]+(?:\.[\w-]+)*$/.test(file) ? contentTypes[extname(file)] : undefined;
    const body = type && (await readFile(join(dir, 'assets', file)).catch(() => undefined));
    if (!body) throw new DomainError(ErrorKey.NotFound, `no file "${file}" in the console`, { ref: 'file' });
    return c.body(new Uint8Array(body), 200, {
      'content-type': type,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
}
