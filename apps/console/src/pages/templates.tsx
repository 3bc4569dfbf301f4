import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '@wagate/client';
import { type FormEvent, useState } from 'react';
import { api, call, when } from '../api';
import { go, href } from '../router';
import { Field, FormError, Loading } from '../ui/form';
import { CursorList } from '../ui/pager';

type Category = components['schemas']['TemplateCreate']['category'];
/** What a list row shows of a template. */
interface TemplateRow {
  id: string;
  name: string;
  category: string;
  updatedAt: string;
  languages: Array<{ languageCode: string; latest: { status: string } }>;
}

/** The account's templates and a form for a new one; with an id, that template. */
export function TemplatesPage({ templateId }: { templateId?: string | undefined }) {
  if (templateId) return <TemplatePage templateId={templateId} />;
  return (
    <>
      <h1>Templates</h1>
      <CreateTemplate />
      <CursorList
        queryKey={['templates']}
        what="templates"
        fetchPage={(cursor) => call(api.GET('/v1/templates', { params: { query: { cursor, limit: 25 } } }))}
        render={(templates) => <TemplateTable templates={templates} link={(id) => href('templates', id)} />}
      />
    </>
  );
}

export function TemplateTable({
  templates,
  link,
}: {
  templates: TemplateRow[];
  link: (id: string) => string;
}) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Category</th>
          <th scope="col">Languages (latest revision)</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {templates.map((template) => (
          <tr key={template.id}>
            <td>
              <a href={link(template.id)}>{template.name}</a>
            </td>
            <td>{template.category}</td>
            <td>
              {template.languages
                .map((language) => `${language.languageCode}: ${language.latest.status}`)
                .join(', ')}
            </td>
            <td>{when(template.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CreateTemplate() {
  const client = useQueryClient();
  const [draft, setDraft] = useState({
    name: '',
    category: 'utility' as Category,
    languageCode: 'en',
    body: '',
  });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/templates', {
          body: {
            name: draft.name,
            category: draft.category,
            languages: [{ languageCode: draft.languageCode, body: draft.body }],
          },
        }),
      ),
    onSuccess: async (template) => {
      await client.invalidateQueries({ queryKey: ['templates'] });
      go('templates', template.id);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Create a template" className="card">
      <h2>New template</h2>
      <Field label="Name" name="name" error={create.error}>
        {(id, describedBy) => (
          <input
            id={id}
            value={draft.name}
            aria-describedby={describedBy}
            onChange={(event) => setDraft({ ...draft, name: event.target.value })}
          />
        )}
      </Field>
      <Field label="Category" name="category" error={create.error}>
        {(id) => (
          <select
            id={id}
            value={draft.category}
            onChange={(event) => setDraft({ ...draft, category: event.target.value as Category })}
          >
            <option>utility</option>
            <option>marketing</option>
            <option>authentication</option>
          </select>
        )}
      </Field>
      <Field label="Language" name="languageCode" error={create.error}>
        {(id, describedBy) => (
          <input
            id={id}
            value={draft.languageCode}
            aria-describedby={describedBy}
            onChange={(event) => setDraft({ ...draft, languageCode: event.target.value })}
          />
        )}
      </Field>
      <Field label="Body ({{1}}, {{2}} … are parameters)" name="body" error={create.error}>
        {(id, describedBy) => (
          <textarea
            id={id}
            rows={3}
            value={draft.body}
            aria-describedby={describedBy}
            onChange={(event) => setDraft({ ...draft, body: event.target.value })}
          />
        )}
      </Field>
      <FormError error={create.error} fields={['name', 'category', 'languageCode', 'body']} />
      <button type="submit" disabled={create.isPending}>
        Create draft
      </button>
    </form>
  );
}

function TemplatePage({ templateId }: { templateId: string }) {
  const client = useQueryClient();
  const template = useQuery({
    queryKey: ['template', templateId],
    queryFn: () => call(api.GET('/v1/templates/{templateId}', { params: { path: { templateId } } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['template', templateId] });
  const submit = useMutation({
    mutationFn: () =>
      call(api.POST('/v1/templates/{templateId}/submit', { params: { path: { templateId } } })),
    onSuccess: refresh,
  });
  if (template.isPending) return <Loading what="the template" />;
  if (template.isError) return <FormError error={template.error} />;
  const t = template.data;
  return (
    <>
      <h1>Template {t.name}</h1>
      <p>
        {t.category} · default language {t.defaultLanguage} · id <code>{t.id}</code>
      </p>
      {t.languages.map((language) => (
        <section
          key={language.languageCode}
          className="card"
          aria-label={`Language ${language.languageCode}`}
        >
          <h2>
            {language.languageCode}: revision {language.latest.revision},{' '}
            <span data-testid={`template-status-${language.languageCode}`}>{language.latest.status}</span>
          </h2>
          {language.latest.reason && <p>Reviewer's reason: {language.latest.reason}</p>}
          <pre>{language.latest.body}</pre>
          <p className="muted">
            Sends get:{' '}
            {language.serving
              ? `revision ${language.serving.revision} (${language.serving.status})`
              : 'none yet'}
          </p>
          <EditLanguage
            templateId={templateId}
            languageCode={language.languageCode}
            body={language.latest.body}
            onDone={refresh}
          />
          <Preview templateId={templateId} languageCode={language.languageCode} />
        </section>
      ))}
      <FormError error={submit.error} />
      <button type="button" onClick={() => submit.mutate()} disabled={submit.isPending}>
        Submit for review
      </button>
    </>
  );
}

function EditLanguage(props: { templateId: string; languageCode: string; body: string; onDone: () => void }) {
  const [body, setBody] = useState(props.body);
  const edit = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/v1/templates/{templateId}', {
          params: { path: { templateId: props.templateId } },
          body: { languages: [{ languageCode: props.languageCode, body }] },
        }),
      ),
    onSuccess: props.onDone,
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        edit.mutate();
      }}
      aria-label={`Edit ${props.languageCode}`}
    >
      <Field label={`New text (${props.languageCode})`} name="body" error={edit.error}>
        {(id, describedBy) => (
          <textarea
            id={id}
            rows={2}
            value={body}
            aria-describedby={describedBy}
            onChange={(e) => setBody(e.target.value)}
          />
        )}
      </Field>
      <FormError error={edit.error} fields={['body']} />
      <button type="submit" disabled={edit.isPending}>
        Save as new revision
      </button>
    </form>
  );
}

function Preview({ templateId, languageCode }: { templateId: string; languageCode: string }) {
  const [params, setParams] = useState('');
  const preview = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/templates/{templateId}/preview', {
          params: { path: { templateId } },
          body: {
            languageCode,
            templateParams: Object.fromEntries(
              params
                .split(',')
                .map((value) => value.trim())
                .filter(Boolean)
                .map((value, index) => [String(index + 1), value]),
            ),
          },
        }),
      ),
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        preview.mutate();
      }}
      aria-label={`Preview ${languageCode}`}
    >
      <Field label="Parameters, comma-separated ({{1}}, {{2}} …)" name="templateParams" error={preview.error}>
        {(id) => <input id={id} value={params} onChange={(e) => setParams(e.target.value)} />}
      </Field>
      <button type="submit">Preview</button>
      <FormError error={preview.error} fields={['templateParams']} />
      {preview.data && (
        <output className="preview">
          {preview.data.ok ? preview.data.text : `${preview.data.errorCode}: ${preview.data.description}`}
        </output>
      )}
    </form>
  );
}
