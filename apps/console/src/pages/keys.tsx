import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call, when } from '../api';
import { Field, FormError, Loading } from '../ui/form';

const allScopes = ['send', 'read', 'manage'] as const;

/** An account's keys: create one (its secret shown once), rotate, revoke. */
export function KeysPage({ accountId }: { accountId: string }) {
  const client = useQueryClient();
  const [shown, setShown] = useState<{ name: string; key: string }>();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['send', 'read']);
  const keys = useQuery({
    queryKey: ['keys', accountId],
    queryFn: () => call(api.GET('/v1/accounts/{accountId}/keys', { params: { path: { accountId } } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['keys', accountId] });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/accounts/{accountId}/keys', {
          params: { path: { accountId } },
          body: { name, scopes: scopes as Array<(typeof allScopes)[number]> },
        }),
      ),
    onSuccess: (created) => {
      setShown({ name: created.name, key: created.key });
      setName('');
      return refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: (keyId: string) =>
      call(
        api.POST('/v1/accounts/{accountId}/keys/{keyId}/rotate', { params: { path: { accountId, keyId } } }),
      ),
    onSuccess: (created) => {
      setShown({ name: created.name, key: created.key });
      return refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (keyId: string) =>
      call(api.DELETE('/v1/accounts/{accountId}/keys/{keyId}', { params: { path: { accountId, keyId } } })),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">API keys of {accountId}</h2>
      {shown && (
        <div className="notice" role="status">
          <p>
            The new key "{shown.name}" — copy it now, it is not shown again:{' '}
            <code data-testid="new-key">{shown.key}</code>
          </p>
          <button type="button" onClick={() => setShown(undefined)}>
            I have stored it
          </button>
        </div>
      )}
      <form className="inline" onSubmit={submit} aria-label="Create a key">
        <Field label="Key name" name="name" error={create.error}>
          {(id, describedBy) => (
            <input
              id={id}
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          {allScopes.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(event) =>
                  setScopes(event.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))
                }
              />
              {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending}>
          Create key
        </button>
      </form>
      <FormError error={create.error} fields={['name']} />
      <FormError error={rotate.error ?? revoke.error} />
      {keys.isPending ? (
        <Loading what="keys" />
      ) : keys.isError ? (
        <FormError error={keys.error} />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.data.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{when(key.lastUsedAt)}</td>
                <td>{key.revokedAt ? `revoked ${when(key.revokedAt)}` : 'active'}</td>
                <td>
                  {!key.revokedAt && (
                    <>
                      <button type="button" onClick={() => rotate.mutate(key.id)}>
                        Rotate
                      </button>{' '}
                      <button type="button" className="danger" onClick={() => revoke.mutate(key.id)}>
                        Revoke
                      </button>
                    </>
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
