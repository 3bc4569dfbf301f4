import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../api';
import type { Me } from '../session';
import { Field, FormError, Loading } from '../ui/form';
import { CursorList } from '../ui/pager';

type Decision = 'approve' | 'reject' | 'pause';

/** Templates of an account below this one, with approve, reject and pause (each with a reason). */
export function ReviewsPage({ me }: { me: Me }) {
  const children = useQuery({
    queryKey: ['accounts', me.session.accountId, 'all-children'],
    queryFn: () => call(api.GET('/v1/accounts', { params: { query: { limit: 100 } } })),
  });
  const [accountId, setAccountId] = useState('');
  return (
    <>
      <h1>Template reviews</h1>
      <Field label="Account under review" name="accountId">
        {(id) => (
          <select id={id} value={accountId} onChange={(event) => setAccountId(event.target.value)}>
            <option value="">choose an account</option>
            {children.data?.data.map((account) => (
              <option key={account.id} value={account.id}>
                {account.name} ({account.id})
              </option>
            ))}
          </select>
        )}
      </Field>
      {children.data?.nextCursor && (
        // The list above is the first 100 accounts of the subtree; any other is reached by its id.
        <Field label="…or an account id" name="accountIdText">
          {(id) => <input id={id} onChange={(event) => setAccountId(event.target.value.trim())} />}
        </Field>
      )}
      <FormError error={children.error} />
      {accountId && (
        <CursorList
          queryKey={['review-templates', accountId]}
          what="templates"
          fetchPage={(cursor) =>
            call(api.GET('/v1/templates', { params: { query: { accountId, cursor, limit: 25 } } }))
          }
          render={(templates) => (
            <ul className="plain">
              {templates.map((template) => (
                <li key={template.id}>
                  <ReviewTemplate accountId={accountId} templateId={template.id} />
                </li>
              ))}
            </ul>
          )}
        />
      )}
    </>
  );
}

function ReviewTemplate({ accountId, templateId }: { accountId: string; templateId: string }) {
  const client = useQueryClient();
  const template = useQuery({
    queryKey: ['review-template', accountId, templateId],
    queryFn: () =>
      call(api.GET('/v1/templates/{templateId}', { params: { path: { templateId }, query: { accountId } } })),
  });
  const [reason, setReason] = useState('');
  const review = useMutation({
    mutationFn: (input: { languageCode: string; decision: Decision }) =>
      call(
        api.POST('/v1/templates/{templateId}/review', {
          params: { path: { templateId }, query: { accountId } },
          body: { ...input, ...(reason ? { reason } : {}) },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['review-template', accountId, templateId] }),
  });
  if (template.isPending) return <Loading what="the template" />;
  if (template.isError) return <FormError error={template.error} />;
  const t = template.data;
  return (
    <article className="card" aria-label={`Template ${t.name}`}>
      <h2>
        {t.name} <span className="muted">{t.category}</span>
      </h2>
      {t.languages.map((language) => (
        <div key={language.languageCode}>
          <p>
            {language.languageCode}, revision {language.latest.revision}:{' '}
            <strong data-testid={`review-status-${t.name}-${language.languageCode}`}>
              {language.latest.status}
            </strong>
          </p>
          <pre>{language.latest.body}</pre>
          {(language.latest.status === 'pending' ||
            language.latest.status === 'approved' ||
            language.latest.status === 'paused') && (
            <div className="inline">
              <Field
                label={`Reason (${t.name}, ${language.languageCode})`}
                name="reason"
                error={review.error}
              >
                {(id) => <input id={id} value={reason} onChange={(event) => setReason(event.target.value)} />}
              </Field>
              {language.latest.status === 'pending' && (
                <>
                  <button
                    type="button"
                    onClick={() =>
                      review.mutate({ languageCode: language.languageCode, decision: 'approve' })
                    }
                  >
                    Approve
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => review.mutate({ languageCode: language.languageCode, decision: 'reject' })}
                  >
                    Reject
                  </button>
                </>
              )}
              {language.latest.status === 'approved' && (
                <button
                  type="button"
                  onClick={() => review.mutate({ languageCode: language.languageCode, decision: 'pause' })}
                >
                  Pause
                </button>
              )}
              {language.latest.status === 'paused' && (
                <button
                  type="button"
                  onClick={() => review.mutate({ languageCode: language.languageCode, decision: 'approve' })}
                >
                  Approve again
                </button>
              )}
            </div>
          )}
        </div>
      ))}
      <FormError error={review.error} fields={['reason']} />
    </article>
  );
}
