import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, call, when } from '../api';
import { Field, FormError, Loading } from '../ui/form';
import { CursorList } from '../ui/pager';

/** Webhook URLs, each endpoint's health, callbacks that failed (with replay), and the signing secret. */
export function WebhooksPage() {
  return (
    <>
      <h1>Webhooks</h1>
      <Settings />
      <Endpoints />
      <Secret />
      <section aria-labelledby="failed-h">
        <h2 id="failed-h">Callbacks that failed</h2>
        <FailedCallbacks />
      </section>
    </>
  );
}

function Settings() {
  const client = useQueryClient();
  const settings = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => call(api.GET('/v1/webhooks/incoming')),
  });
  const [draft, setDraft] = useState({ incomingUrl: '', statusUrl: '' });
  useEffect(() => {
    if (settings.data) {
      setDraft({ incomingUrl: settings.data.incomingUrl ?? '', statusUrl: settings.data.statusUrl ?? '' });
    }
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT('/v1/webhooks/incoming', {
          body: { incomingUrl: draft.incomingUrl || null, statusUrl: draft.statusUrl || null },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['webhooks'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  if (settings.isPending) return <Loading what="webhook settings" />;
  return (
    <form onSubmit={submit} className="card" aria-label="Webhook URLs">
      <h2>URLs</h2>
      <Field label="Incoming messages URL" name="incomingUrl" error={save.error}>
        {(id, describedBy) => (
          <input
            id={id}
            type="url"
            value={draft.incomingUrl}
            aria-describedby={describedBy}
            onChange={(event) => setDraft({ ...draft, incomingUrl: event.target.value })}
          />
        )}
      </Field>
      <Field label="Status callbacks URL (when a message names none)" name="statusUrl" error={save.error}>
        {(id, describedBy) => (
          <input
            id={id}
            type="url"
            value={draft.statusUrl}
            aria-describedby={describedBy}
            onChange={(event) => setDraft({ ...draft, statusUrl: event.target.value })}
          />
        )}
      </Field>
      <FormError error={save.error ?? settings.error} fields={['incomingUrl', 'statusUrl']} />
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      {settings.data?.updatedAt && <p className="muted">Last changed {when(settings.data.updatedAt)}</p>}
    </form>
  );
}

function Endpoints() {
  const client = useQueryClient();
  const endpoints = useQuery({
    queryKey: ['endpoints'],
    queryFn: () => call(api.GET('/v1/webhooks/endpoints')),
  });
  const enable = useMutation({
    mutationFn: (endpointId: string) =>
      call(
        api.POST('/v1/webhooks/endpoints/{endpointId}/enable', {
          params: { path: { endpointId }, query: { replayFailed: 'true' } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['endpoints'] }),
  });
  return (
    <section aria-labelledby="endpoints-h">
      <h2 id="endpoints-h">Endpoint health</h2>
      <FormError error={endpoints.error ?? enable.error} />
      {endpoints.data && endpoints.data.data.length === 0 && <p className="muted">No callbacks sent yet.</p>}
      {endpoints.data && endpoints.data.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">State</th>
              <th scope="col">Last success</th>
              <th scope="col">Failing since</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.data.map((endpoint) => (
              <tr key={endpoint.endpointId}>
                <td>{endpoint.origin}</td>
                <td>{endpoint.state}</td>
                <td>{when(endpoint.lastSuccessAt)}</td>
                <td>
                  {when(endpoint.failingSince)} ({endpoint.consecutiveFailures} failures)
                </td>
                <td>{endpoint.lastError ?? '—'}</td>
                <td>
                  {endpoint.state === 'disabled' && (
                    <button type="button" onClick={() => enable.mutate(endpoint.endpointId)}>
                      Enable and replay
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Secret() {
  const [revealed, setRevealed] = useState(false);
  const secret = useQuery({
    queryKey: ['webhook-secret'],
    queryFn: () => call(api.GET('/v1/webhooks/secret')),
    enabled: revealed,
  });
  const client = useQueryClient();
  const rotate = useMutation({
    mutationFn: () => call(api.POST('/v1/webhooks/secret/rotate')),
    onSuccess: (rotated) => {
      setRevealed(true);
      client.setQueryData(['webhook-secret'], rotated);
    },
  });
  return (
    <section aria-labelledby="secret-h">
      <h2 id="secret-h">Signing secret</h2>
      {revealed && secret.data ? (
        <p>
          <code>{secret.data.secret}</code>
          {secret.data.previousSecretExpiresAt &&
            ` — the previous secret still signs until ${when(secret.data.previousSecretExpiresAt)}`}
        </p>
      ) : (
        <button type="button" onClick={() => setRevealed(true)}>
          Show secret
        </button>
      )}{' '}
      <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
        Rotate secret
      </button>
      <FormError error={secret.error ?? rotate.error} />
    </section>
  );
}

function FailedCallbacks() {
  const client = useQueryClient();
  const replay = useMutation({
    mutationFn: (webhookId: string) =>
      call(api.POST('/v1/webhooks/failed/{webhookId}/replay', { params: { path: { webhookId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['failed-callbacks'] }),
  });
  return (
    <>
      <FormError error={replay.error} />
      <CursorList
        queryKey={['failed-callbacks']}
        what="failed callbacks"
        fetchPage={(cursor) =>
          call(api.GET('/v1/webhooks/failed', { params: { query: { cursor, limit: 25 } } }))
        }
        render={(callbacks) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">URL</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {callbacks.map((callback) => (
                <tr key={callback.webhookId}>
                  <td>{callback.messageId}</td>
                  <td>{callback.url}</td>
                  <td>{callback.state}</td>
                  <td>{callback.attempts}</td>
                  <td>{callback.lastError}</td>
                  <td>
                    <button type="button" onClick={() => replay.mutate(callback.webhookId)}>
                      Replay
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
    </>
  );
}
