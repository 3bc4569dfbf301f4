import { createRoute, z } from '@hono/zod-openapi';
import { openApiConfig } from '../openapi/config.js';
import type { ApiApp } from './types.js';

export const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['System'],
  operationId: 'openApiDocument',
  summary: 'This document',
  description:
    'The OpenAPI 3.1 document of this API, generated from the schemas that validate its requests. No API key.',
  responses: {
    200: {
      description: 'The OpenAPI document.',
      content: {
        'application/json': {
          schema: z.record(z.string(), z.unknown()).openapi('OpenApiDocument', {
            description: 'An OpenAPI 3.1 document.',
            example: { openapi: '3.1.0', info: { title: 'wagate', version: '1.0.0' } },
          }),
        },
      },
    },
  },
  security: [],
});

export function registerOpenApiDocument(app: ApiApp): void {
  let document: Record<string, unknown> | undefined;
  app.openapi(openApiRoute, (c) => {
    // Routes are all registered before the first request, so the document never changes.
    document ??= app.getOpenAPI31Document(openApiConfig) as unknown as Record<string, unknown>;
    return c.json(document, 200);
  });
}
