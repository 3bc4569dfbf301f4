import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, call, when } from '../api';
import { Field, FormError } from '../ui/form';
import { CursorList } from '../ui/pager';

/** Recipients who opted out (STOP replies or added here) and the account's blocked words and domains. */
export function PolicyPage() {
  return (
    <>
      <h1>Opt-outs and blocklist</h1>
      <OptOuts />
      <Blocklist />
    </>
  );
}

function OptOuts() {
  const client = useQueryClient();
  const [recipient, setRecipient] = useState('');
  const refresh = () => client.invalidateQueries({ queryKey: ['opt-outs'] });
  const add = useMutation({
    mutationFn: () => call(api.POST('/v1/opt-outs', { body: { recipients: [recipient] } })),
    onSuccess: () => {
      setRecipient('');
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (number: string) =>
      call(api.DELETE('/v1/opt-outs/{recipient}', { params: { path: { recipient: number } } })),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <section aria-labelledby="optouts-h">
      <h2 id="optouts-h">Opt-outs</h2>
      <form className="inline" onSubmit={submit} aria-label="Add an opt-out">
        <Field label="Recipient" name="recipients" error={add.error}>
          {(id, describedBy) => (
            <input
              id={id}
              value={recipient}
              aria-describedby={describedBy}
              onChange={(e) => setRecipient(e.target.value)}
            />
          )}
        </Field>
        <button type="submit">Add</button>
      </form>
      <FormError error={add.error ?? remove.error} fields={['recipients']} />
      <CursorList
        queryKey={['opt-outs']}
        what="opt-outs"
        fetchPage={(cursor) => call(api.GET('/v1/opt-outs', { params: { query: { cursor, limit: 50 } } }))}
        render={(optOuts) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Recipient</th>
                <th scope="col">Source</th>
                <th scope="col">Since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {optOuts.map((optOut) => (
                <tr key={optOut.recipient}>
                  <td>{optOut.recipient}</td>
                  <td>
                    {optOut.source}
                    {optOut.keyword && ` (${optOut.keyword})`}
                  </td>
                  <td>{when(optOut.createdAt)}</td>
                  <td>
                    <button type="button" onClick={() => remove.mutate(optOut.recipient)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      />
    </section>
  );
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

function Blocklist() {
  const client = useQueryClient();
  const blocklist = useQuery({
    queryKey: ['blocklist'],
    queryFn: () => call(api.GET('/v1/policy/blocklist')),
  });
  const [draft, setDraft] = useState({ words: '', domains: '' });
  useEffect(() => {
    if (blocklist.data)
      setDraft({ words: blocklist.data.words.join('\n'), domains: blocklist.data.domains.join('\n') });
  }, [blocklist.data]);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT('/v1/policy/blocklist', {
          body: { words: lines(draft.words), domains: lines(draft.domains) },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['blocklist'] }),
  });
  return (
    <form
      className="card"
      aria-label="Blocklist"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h2>Blocklist</h2>
      <p className="muted">Applies to this account and every account below it. One entry a line.</p>
      <Field label="Blocked words" name="words" error={save.error}>
        {(id, describedBy) => (
          <textarea
            id={id}
            rows={4}
            value={draft.words}
            aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, words: e.target.value })}
          />
        )}
      </Field>
      <Field label="Blocked domains" name="domains" error={save.error}>
        {(id, describedBy) => (
          <textarea
            id={id}
            rows={4}
            value={draft.domains}
            aria-describedby={describedBy}
            onChange={(e) => setDraft({ ...draft, domains: e.target.value })}
          />
        )}
      </Field>
      <FormError error={save.error ?? blocklist.error} fields={['words', 'domains']} />
      <button type="submit">Save blocklist</button>
      {blocklist.data?.updatedAt && <p className="muted">Last changed {when(blocklist.data.updatedAt)}</p>}
    </form>
  );
}
