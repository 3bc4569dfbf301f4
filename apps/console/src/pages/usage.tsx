import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { money, today, usageJson } from '../api';
import type { Me } from '../session';
import { DayChart } from '../ui/chart';
import { Field, FormError, Loading } from '../ui/form';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** Messages and spend per day (a chart), for the account or — for a reseller — its subtree, and a CSV. */
export function UsagePage({ me }: { me: Me }) {
  const [range, setRange] = useState({ from: daysAgo(13), to: today(), accountId: '' });
  const query = {
    from: range.from,
    to: range.to,
    groupBy: 'day,status',
    ...(range.accountId ? { accountId: range.accountId } : {}),
  };
  const usage = useQuery({
    queryKey: ['usage', query],
    queryFn: () => usageJson(query),
  });
  const csv = `/v1/usage?${new URLSearchParams({ ...query, groupBy: me.supervises ? 'day,account,status' : 'day,status', format: 'csv' })}`;
  const days: string[] = [];
  for (
    let day = new Date(`${range.from}T00:00:00Z`);
    day <= new Date(`${range.to}T00:00:00Z`);
    day = new Date(day.getTime() + 86_400_000)
  ) {
    days.push(day.toISOString().slice(0, 10));
  }
  const rows = usage.data?.data ?? [];
  const perDay = (pick: (row: (typeof rows)[number]) => number, status?: string) =>
    days.map((day) =>
      rows
        .filter((row) => row.day === day && (!status || row.status === status))
        .reduce((sum, row) => sum + pick(row), 0),
    );
  return (
    <>
      <h1>Usage{me.supervises ? ' across the account tree' : ''}</h1>
      <form className="inline" aria-label="Usage range" onSubmit={(event) => event.preventDefault()}>
        <Field label="First day" name="from" error={usage.error}>
          {(id) => (
            <input
              id={id}
              type="date"
              value={range.from}
              onChange={(e) => setRange({ ...range, from: e.target.value })}
            />
          )}
        </Field>
        <Field label="Last day" name="to" error={usage.error}>
          {(id) => (
            <input
              id={id}
              type="date"
              value={range.to}
              onChange={(e) => setRange({ ...range, to: e.target.value })}
            />
          )}
        </Field>
        {me.supervises && (
          <Field label="Account (blank: the whole subtree)" name="accountId" error={usage.error}>
            {(id) => (
              <input
                id={id}
                value={range.accountId}
                onChange={(e) => setRange({ ...range, accountId: e.target.value.trim() })}
              />
            )}
          </Field>
        )}
        <a className="button" href={csv} download={`usage-${range.from}-${range.to}.csv`}>
          Download CSV
        </a>
      </form>
      {usage.isPending ? (
        <Loading what="usage" />
      ) : usage.isError ? (
        <FormError error={usage.error} fields={['from', 'to', 'accountId']} />
      ) : (
        <>
          <DayChart
            label="Messages per day by status"
            days={days}
            series={['READ', 'DELIVERED', 'SENT', 'FAILED'].map((status) => ({
              name: status,
              values: perDay((row) => row.messages, status),
            }))}
          />
          <p>
            Total: {rows.reduce((sum, row) => sum + row.messages, 0)} messages,{' '}
            {money(
              rows.reduce((sum, row) => sum + row.amountMinor, 0),
              usage.data.currency,
            )}
          </p>
        </>
      )}
    </>
  );
}
