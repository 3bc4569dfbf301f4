import { createRoute, z } from '@hono/zod-openapi';
import type { billing } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { UsageQuery, UsageSchema } from '../schemas/usage.js';
import type { ApiApp, RouteDeps } from './types.js';

const columns = ['day', 'accountId', 'sender', 'status', 'country', 'messages', 'amountMinor'] as const;
const dimensionOfColumn: Record<string, string> = {
  day: 'day',
  accountId: 'account',
  sender: 'sender',
  status: 'status',
  country: 'country',
};

export const getUsageRoute = createRoute({
  method: 'get',
  path: '/v1/usage',
  tags: ['Billing'],
  operationId: 'getUsage',
  summary: 'Usage: messages and money',
  description:
    'Messages accepted from `from` to `to` (UTC days, inclusive, at most 400 days) over your account and everything ' +
    'below it — a reseller sees its customers rolled up — grouped by any of `day`, `account`, `sender`, `status` ' +
    "(the messages' latest status) and `country` (the recipient's). `amountMinor` is what the sending accounts paid " +
    'for the messages that were sent. `format=csv` (or `Accept: text/csv`) answers CSV with a header row. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: UsageQuery },
  responses: {
    200: {
      description: 'The groups, ordered by the dimensions.',
      content: {
        'application/json': { schema: UsageSchema },
        'text/csv': {
          schema: z
            .string()
            .openapi({ example: 'day,sender,messages,amountMinor\n2026-12-01,MyCompany,1250,125000\n' }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerGetUsage(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getUsageRoute, async (c) => {
    const query = c.req.valid('query');
    const groupBy = (query.groupBy ?? 'day').split(',');
    const usage = await deps.peers.billing.getUsage({
      actorAccountId: c.get('principal').accountId,
      accountId: query.accountId ?? '',
      fromDay: query.from,
      toDay: query.to,
      groupBy,
    });
    const grouped = columns.filter((column) => {
      const dimension = dimensionOfColumn[column];
      return dimension === undefined || groupBy.includes(dimension);
    });
    const wantsCsv =
      query.format === 'csv' ||
      (query.format === undefined && /\btext\/csv\b/.test(c.req.header('accept') ?? ''));
    if (wantsCsv) {
      const lines = [
        grouped.join(','),
        ...usage.rows.map((row) => grouped.map((column) => csvField(row[column])).join(',')),
      ];
      c.header('content-disposition', `attachment; filename="usage-${query.from}-${query.to}.csv"`);
      return c.body(`${lines.join('\n')}\n`, 200, { 'content-type': 'text/csv; charset=utf-8' }) as never;
    }
    return c.json({ currency: usage.currency, data: usage.rows.map((row) => rowView(row, groupBy)) }, 200);
  });
}

function rowView(row: billing.UsageRow, groupBy: string[]) {
  const dimension = (name: string, value: string) => (groupBy.includes(name) ? value : null);
  return {
    day: dimension('day', row.day),
    accountId: dimension('account', row.accountId),
    sender: dimension('sender', row.sender),
    status: dimension('status', row.status),
    country: dimension('country', row.country),
    messages: Number(row.messages),
    amountMinor: Number(row.amountMinor),
  };
}

/** RFC 4180: quote a field with a comma, quote or line break, doubling quotes; and defuse spreadsheet formulas. */
function csvField(value: string): string {
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
