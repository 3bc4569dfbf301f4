import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { errorResponses } from '../schemas/common.js';
import {
  type SwaggerAsset,
  swaggerAsset,
  swaggerAssets,
  swaggerInitializer,
  swaggerPage,
} from '../http/swagger-ui.js';
import type { ApiApp } from './types.js';

const files = ['swagger-initializer.js', ...Object.keys(swaggerAssets)] as [string, ...string[]];

export const docsPageRoute = createRoute({
  method: 'get',
  path: '/docs',
  tags: ['System'],
  operationId: 'docsPage',
  summary: 'Interactive documentation',
  description: 'Swagger UI over `/openapi.json`, served from this process (works offline). No API key.',
  responses: {
    200: {
      description: 'The page.',
      content: {
        'text/html': { schema: z.string().openapi({ description: 'HTML.', example: '<!doctype html>…' }) },
      },
    },
  },
  security: [],
});

export const docsAssetRoute = createRoute({
  method: 'get',
  path: '/docs/{file}',
  tags: ['System'],
  operationId: 'docsAsset',
  summary: 'A file of the documentation page',
  description: "Swagger UI's scripts, styles and icons, from the swagger-ui-dist package. No API key.",
  request: {
    params: z.object({
      file: z.enum(files).openapi({
        param: { name: 'file', in: 'path' },
        description: 'The file.',
        example: 'swagger-ui.css',
      }),
    }),
  },
  responses: {
    200: {
      description: 'The file.',
      // One entry per type the files are served as (`swaggerAssets`), so the document says what comes back.
      content: Object.fromEntries(
        [...new Set(Object.values(swaggerAssets))].map((type) => [
          type,
          { schema: z.string().openapi({ description: `The file, as ${type}.` }) },
        ]),
      ),
    },
    ...errorResponses(404),
  },
  security: [],
});

export function registerDocsPage(app: ApiApp): void {
  app.openapi(docsPageRoute, (c) => c.html(swaggerPage, 200));
  app.openapi(
    docsAssetRoute,
    (c) => {
      const { file } = c.req.valid('param');
      c.header('cache-control', 'public, max-age=3600');
      if (file === 'swagger-initializer.js') {
        c.header('content-type', 'text/javascript; charset=utf-8');
        return c.body(swaggerInitializer, 200);
      }
      c.header('content-type', swaggerAssets[file as SwaggerAsset]);
      return c.body(new Uint8Array(swaggerAsset(file as SwaggerAsset)), 200);
    },
    (result) => {
      if (!result.success) throw new DomainError(ErrorKey.NotFound, 'no such file of the documentation page');
      return undefined;
    },
  );
}
