import { useQuery } from '@tanstack/react-query';
import type { components } from '@wagate/client';
import { describeStatusError } from '@wagate/errors';
import { type FormEvent, useState } from 'react';
import { api, call, when } from '../api';
import { href } from '../router';
import { Field, FormError, Loading } from '../ui/form';
import { CursorList } from '../ui/pager';

type Status = components['schemas']['MessageSummary']['status'];
const statuses: Status[] = ['ACCEPTED', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'EXPIRED'];

interface Search {
  recipient?: string;
  sender?: string;
  status?: Status;
  from?: string;
  to?: string;
}

const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Messages, newest first, searched by recipient, sender, status and time. */
export function MessagesPage() {
  const [search, setSearch] = useState<Search>({});
  const [error, setError] = useState<unknown>();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => (form.get(name) as string | null)?.trim() || undefined;
    setError(undefined);
    setSearch({
      recipient: text('recipient'),
      sender: text('sender'),
      status: text('status') as Status | undefined,
      from: isoOf(text('from') ?? ''),
      to: isoOf(text('to') ?? ''),
    });
  };
  return (
    <>
      <h1>Messages</h1>
      <form className="inline" onSubmit={submit} aria-label="Search messages">
        <Field label="Recipient" name="recipient" error={error}>
          {(id) => <input id={id} name="recipient" placeholder="79034567890" />}
        </Field>
        <Field label="Sender" name="sender" error={error}>
          {(id) => <input id={id} name="sender" placeholder="MyCompany" />}
        </Field>
        <Field label="Status" name="status" error={error}>
          {(id) => (
            <select id={id} name="status" defaultValue="">
              <option value="">any</option>
              {statuses.map((status) => (
                <option key={status}>{status}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Accepted from" name="from" error={error}>
          {(id) => <input id={id} name="from" type="datetime-local" />}
        </Field>
        <Field label="Accepted before" name="to" error={error}>
          {(id) => <input id={id} name="to" type="datetime-local" />}
        </Field>
        <button type="submit">Search</button>
      </form>
      <CursorList
        queryKey={['messages', search]}
        what="messages"
        fetchPage={(cursor) =>
          call(api.GET('/v1/messages', { params: { query: { ...search, cursor, limit: 25 } } })).catch(
            (failure: unknown) => {
              setError(failure);
              throw failure;
            },
          )
        }
        render={(messages) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Accepted</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((message) => (
                <tr key={message.messageId}>
                  <td>
                    <a href={href('messages', message.messageId)}>{message.messageId}</a>
                  </td>
                  <td>{message.from}</td>
                  <td>{message.to}</td>
                  <td>
                    <span className={`status status-${message.status}`}>{message.status}</span>
                  </td>
                  <td>{when(message.acceptedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
    </>
  );
}

const finalStatuses = new Set(['READ', 'FAILED', 'EXPIRED']);

/** One message: its status timeline, what holds it while queued, and where its callbacks go. */
export function MessagePage({ messageId }: { messageId: string }) {
  const message = useQuery({
    queryKey: ['message', messageId],
    queryFn: () => call(api.GET('/v1/messages/{messageId}', { params: { path: { messageId } } })),
    // Watch it move until it reaches a final status.
    refetchInterval: (query) =>
      query.state.data && finalStatuses.has(query.state.data.status) ? false : 1_000,
  });
  if (message.isPending) return <Loading what="the message" />;
  if (message.isError) return <FormError error={message.error} />;
  const m = message.data;
  return (
    <>
      <h1>Message {m.messageId}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`status status-${m.status}`} data-testid="message-status">
            {m.status}
          </span>
          {m.errorCode !== 0 && ` — ${m.errorCode}: ${describeStatusError(m.errorCode)}`}
        </dd>
        <dt>From → to</dt>
        <dd>
          {m.from} → {m.to}
        </dd>
        <dt>Text</dt>
        <dd>{m.text ?? (m.templateId ? `template ${m.templateId}` : '—')}</dd>
        <dt>Status callbacks</dt>
        <dd>{m.callbackUrl ?? 'the account’s status webhook, if set'}</dd>
      </dl>
      {m.waiting && (
        <section aria-labelledby="waiting-h" className="notice">
          <h2 id="waiting-h">Why it is waiting</h2>
          <p>
            {m.waiting.reason} ({m.waiting.rule}){m.waiting.until && `, until ${when(m.waiting.until)}`}
          </p>
        </section>
      )}
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <ol className="timeline">
          {m.history.map((entry) => (
            <li key={`${entry.status}-${entry.ts}`}>
              <strong>{entry.status}</strong> {when(entry.ts)}
              {entry.errorCode !== 0 && ` — ${entry.errorCode}: ${describeStatusError(entry.errorCode)}`}
              {entry.reason && <span className="muted"> · {entry.reason}</span>}
            </li>
          ))}
        </ol>
      </section>
      <Callbacks messageId={m.messageId} final={finalStatuses.has(m.status)} />
    </>
  );
}

/** The message's status callbacks: where each went, how many attempts, and how it ended. */
function Callbacks({ messageId, final }: { messageId: string; final: boolean }) {
  const callbacks = useQuery({
    queryKey: ['message-callbacks', messageId],
    queryFn: () => call(api.GET('/v1/messages/{messageId}/callbacks', { params: { path: { messageId } } })),
    // Callbacks are queued as statuses arrive, so a final message may still get its last ones:
    // stop only once it has some and none is pending (a message without a callback URL keeps
    // asking, slowly).
    refetchInterval: (query) => {
      const callbacks = query.state.data?.data ?? [];
      if (!final) return 2_000;
      return callbacks.length > 0 && callbacks.every((callback) => callback.state !== 'pending')
        ? false
        : 5_000;
    },
  });
  return (
    <section aria-labelledby="callbacks-h">
      <h2 id="callbacks-h">Status callbacks</h2>
      <FormError error={callbacks.error} />
      {callbacks.data && callbacks.data.data.length === 0 && (
        <p className="muted">No callbacks for this message.</p>
      )}
      {callbacks.data && callbacks.data.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">URL</th>
              <th scope="col">Delivery</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {callbacks.data.data.map((callback) => (
              <tr key={callback.webhookId}>
                <td>{statusOfBody(callback.body)}</td>
                <td>{callback.url}</td>
                <td data-testid="callback-state">
                  {callback.state}
                  {callback.deliveredAt && ` ${when(callback.deliveredAt)}`}
                  {callback.nextAttemptAt && `, next try ${when(callback.nextAttemptAt)}`}
                </td>
                <td>{callback.attempts}</td>
                <td>{callback.lastError ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        Callbacks that failed for good can be replayed on <a href={href('webhooks')}>Webhooks</a>.
      </p>
    </section>
  );
}

/** The status a callback reports, read from the JSON body it POSTs. */
function statusOfBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as Array<{ status?: string }>;
    return parsed[0]?.status ?? '—';
  } catch {
    return '—';
  }
}
