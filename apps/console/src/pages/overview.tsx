import { useQuery } from '@tanstack/react-query';
import { describeStatusError } from '@wagate/errors';
import { api, call, money, today, usageJson } from '../api';
import { BarChart } from '../ui/chart';
import { FormError, Loading } from '../ui/form';

const statuses = ['ACCEPTED', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'EXPIRED'] as const;

/** Balance, today's messages by status, and today's failures by error code with their meaning. */
export function OverviewPage() {
  const balance = useQuery({ queryKey: ['balance'], queryFn: () => call(api.GET('/v1/balance')) });
  const byStatus = useQuery({
    queryKey: ['usage', 'today', 'status'],
    queryFn: () => usageJson({ from: today(), to: today(), groupBy: 'status' }),
  });
  const failures = useQuery({
    queryKey: ['messages', 'failed-today'],
    queryFn: () =>
      call(
        api.GET('/v1/messages', {
          params: { query: { status: 'FAILED', from: `${today()}T00:00:00Z`, limit: 100 } },
        }),
      ),
  });
  const counts = new Map<number, number>();
  for (const message of failures.data?.data ?? []) {
    counts.set(message.errorCode, (counts.get(message.errorCode) ?? 0) + 1);
  }
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="balance-h">
        <h2 id="balance-h">Balance</h2>
        {balance.isPending ? (
          <Loading what="the balance" />
        ) : balance.isError ? (
          <FormError error={balance.error} />
        ) : (
          <dl className="facts">
            <dt>Balance</dt>
            <dd data-testid="balance">{money(balance.data.balanceMinor, balance.data.currency)}</dd>
            <dt>Held by unsent messages</dt>
            <dd>{money(balance.data.reservedMinor, balance.data.currency)}</dd>
            <dt>Credit limit</dt>
            <dd>{money(balance.data.creditLimitMinor, balance.data.currency)}</dd>
          </dl>
        )}
      </section>
      <section aria-labelledby="today-h">
        <h2 id="today-h">Today's messages by status</h2>
        {byStatus.isPending ? (
          <Loading what="today's messages" />
        ) : byStatus.isError ? (
          <FormError error={byStatus.error} />
        ) : (
          <BarChart
            label="Messages accepted today (UTC), by current status"
            bars={statuses.map((status) => ({
              name: status,
              value: byStatus.data.data
                .filter((row) => row.status === status)
                .reduce((sum, row) => sum + row.messages, 0),
            }))}
          />
        )}
      </section>
      <section aria-labelledby="failures-h">
        <h2 id="failures-h">Today's failures by error code</h2>
        {failures.isError && <FormError error={failures.error} />}
        {counts.size === 0 ? (
          <p className="muted">No failed messages today.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Meaning</th>
                <th scope="col">Messages</th>
              </tr>
            </thead>
            <tbody>
              {[...counts].map(([code, count]) => (
                <tr key={code}>
                  <td>{code}</td>
                  <td>{describeStatusError(code)}</td>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {failures.data?.nextCursor && <p className="muted">Counted from the latest 100 failures.</p>}
      </section>
    </>
  );
}
