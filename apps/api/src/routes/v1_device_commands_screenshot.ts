import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { CommandIdParam } from '../schemas/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getScreenshotRoute = createRoute({
  method: 'get',
  path: '/v1/devices/{deviceId}/commands/{commandId}/screenshot',
  tags: ['Devices'],
  operationId: 'getDeviceScreenshot',
  summary: 'The PNG of a screenshot command',
  description:
    'The image a finished screenshot command took (what `screenshotUrl` points to). 404 while it has none. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: CommandIdParam },
  responses: {
    200: {
      description: 'The screen as PNG.',
      content: { 'image/png': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerGetScreenshot(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getScreenshotRoute, async (c) => {
    const { deviceId, commandId } = c.req.valid('param');
    const { screenshotPng } = await deps.peers.fleet.getDeviceCommand({
      ...(await deviceScope(deps.peers, c.get('principal'), deviceId)),
      commandId,
    });
    if (screenshotPng.length === 0) {
      throw new DomainError(ErrorKey.NotFound, `command "${commandId}" has no screenshot`, {
        ref: 'commandId',
      });
    }
    c.header('cache-control', 'private, max-age=3600');
    return c.body(new Uint8Array(screenshotPng), 200, { 'content-type': 'image/png' });
  });
}
