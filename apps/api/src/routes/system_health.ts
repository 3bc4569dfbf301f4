import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp } from './types.js';

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['System'],
  operationId: 'health',
  summary: 'Liveness',
  description: 'Answers while the process serves HTTP; it does not check the services behind it. No API key.',
  responses: {
    200: {
      description: 'The api is up.',
      content: {
        'application/json': {
          schema: z
            .object({ status: z.literal('ok').openapi({ description: 'Always `ok`.', example: 'ok' }) })
            .openapi('Health', { description: 'Liveness.', example: { status: 'ok' } }),
        },
      },
    },
  },
  security: [],
});

export function registerHealth(app: ApiApp): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
}
