import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { accountInSubtree, ReadableAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { ListSendersQuery, SenderListSchema } from '../schemas/senders.js';
import { isoTime } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listSendersRoute = createRoute({
  method: 'get',
  path: '/v1/senders',
  tags: ['Senders'],
  operationId: 'listSenders',
  summary: 'List senders',
  description:
    "The names the account may send from (the send call's `from`), by name, with their devices' numbers and how many " +
    'devices are connected now, and how many messages wait for a device (queue depth). A reseller or the platform ' +
    'reads an account below it with `?accountId=`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ListSendersQuery.extend(ReadableAccountQuery.shape) },
  responses: {
    200: {
      description: 'One page of senders.',
      content: { 'application/json': { schema: SenderListSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerListSenders(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listSendersRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await deps.peers.fleet.listSenders({
      accountId: await accountInSubtree(deps.peers, c.get('principal'), query.accountId),
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json(
      {
        data: page.senders.map((sender) => ({
          senderId: sender.senderId,
          name: sender.name,
          numbers: sender.numbers,
          devices: sender.devices,
          devicesConnected: sender.devicesConnected,
          queuedJobs: sender.queuedJobs,
          createdAt: isoTime(sender.createdAtMs),
        })),
        nextCursor: page.nextCursor || null,
      },
      200,
    );
  });
}
