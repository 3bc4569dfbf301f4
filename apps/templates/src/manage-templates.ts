import { randomUUID } from 'node:crypto';
import { eventId, type TemplateChangedEvent, type templates, Topics } from '@wagate/contracts';
import { prefixedId } from '@wagate/ids';
import { enqueueEvents } from '@wagate/outbox';
import { DomainError, ErrorKey } from '@wagate/errors';
import { traceHeaders } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { contentFromProto, sameContent } from './content.js';
import type { RevisionStatus, TemplateCategory, TemplatesTables } from './db/tables.js';
import { normalizeLanguage } from './languages.js';
import { findTemplate, type RevisionRow, type StoredTemplate } from './template-store.js';
import { templateToProto } from './template-view.js';

const CATEGORIES: ReadonlySet<string> = new Set<TemplateCategory>(['marketing', 'utility', 'authentication']);
/** Revisions nobody has approved yet: a newer edit of their language replaces them. */
const UNREVIEWED: RevisionStatus[] = ['draft', 'pending', 'rejected'];

const invalid = (description: string) => new DomainError(ErrorKey.Invalid, description);
const notFound = (templateId: string) =>
  new DomainError(ErrorKey.NotFound, `no template ${templateId} in this account`);

export type ChangeListener = (accountId: string, templateId: string) => void;

/**
 * Every write to templates: create, edit, delete, submit and review. Each runs in one
 * transaction that also queues `template.changed`, so every replica's render cache drops the
 * template (see approved-cache.ts); `onChange` tells this replica's cache at once.
 */
export function templateManagement(db: Kysely<TemplatesTables>, onChange: ChangeListener) {
  async function change(
    accountId: string,
    templateId: string,
    write: (trx: Kysely<TemplatesTables>, stored: StoredTemplate) => Promise<void>,
  ): Promise<templates.Template> {
    const result = await db.transaction().execute(async (trx) => {
      const stored = await findTemplate(trx, accountId, templateId, { forUpdate: true });
      if (!stored) throw notFound(templateId);
      await write(trx, stored);
      await announce(trx, accountId, templateId);
      return (await findTemplate(trx, accountId, templateId))!;
    });
    onChange(accountId, templateId);
    return templateToProto(result);
  }

  return {
    async create(request: templates.CreateTemplateRequest): Promise<templates.Template> {
      if (!CATEGORIES.has(request.category)) {
        throw invalid(`category must be marketing, utility or authentication, not "${request.category}"`);
      }
      if (request.languages.length === 0) throw invalid('a template needs at least one language');
      const languages = request.languages.map((language, i) => ({
        code: normalizeLanguage(language.languageCode),
        content: contentFromProto(language.content, `languages[${i}]`),
      }));
      const codes = languages.map((language) => language.code);
      const repeated = codes.find((code, i) => codes.indexOf(code) !== i);
      if (repeated) throw invalid(`language ${repeated} is given twice`);
      const defaultLanguage = request.defaultLanguage
        ? normalizeLanguage(request.defaultLanguage)
        : codes[0]!;
      if (!codes.includes(defaultLanguage))
        throw invalid(`the default language ${defaultLanguage} is not one of the languages`);

      const id = prefixedId('template');
      const created = await db.transaction().execute(async (trx) => {
        const taken = await trx
          .selectFrom('templates')
          .select('id')
          .where('account_id', '=', request.accountId)
          .where('name', '=', request.name)
          .executeTakeFirst();
        if (taken) throw invalid(`a template named "${request.name}" exists already (${taken.id})`);
        await trx
          .insertInto('templates')
          .values({
            id,
            account_id: request.accountId,
            name: request.name,
            category: request.category as TemplateCategory,
            default_language: defaultLanguage,
            updated_at: new Date(),
          })
          .execute();
        await trx
          .insertInto('template_revisions')
          .values(
            languages.map((language) => draftRow(request.accountId, id, language.code, 1, language.content)),
          )
          .execute();
        await announce(trx, request.accountId, id);
        return (await findTemplate(trx, request.accountId, id))!;
      });
      onChange(request.accountId, id);
      return templateToProto(created);
    },

    update(request: templates.UpdateTemplateRequest): Promise<templates.Template> {
      return change(request.accountId, request.templateId, async (trx, stored) => {
        const languages = new Set(stored.revisions.map((revision) => revision.language_code));
        for (const [i, language] of request.languages.entries()) {
          const code = normalizeLanguage(language.languageCode);
          const content = contentFromProto(language.content, `languages[${i}]`);
          const history = stored.revisions.filter((revision) => revision.language_code === code);
          const latest = history.at(-1);
          if (latest && sameContent(latest.content, content)) continue;
          await trx
            .updateTable('template_revisions')
            .set({ status: 'superseded' })
            .where('template_id', '=', stored.template.id)
            .where('language_code', '=', code)
            .where('status', 'in', UNREVIEWED)
            .execute();
          await trx
            .insertInto('template_revisions')
            .values(
              draftRow(request.accountId, stored.template.id, code, (latest?.revision ?? 0) + 1, content),
            )
            .execute();
          languages.add(code);
        }
        const defaultLanguage =
          request.defaultLanguage !== undefined ? normalizeLanguage(request.defaultLanguage) : undefined;
        if (defaultLanguage !== undefined && !languages.has(defaultLanguage)) {
          throw invalid(`the default language ${defaultLanguage} is not one of the template's languages`);
        }
        await trx
          .updateTable('templates')
          .set({ updated_at: new Date(), ...(defaultLanguage ? { default_language: defaultLanguage } : {}) })
          .where('id', '=', stored.template.id)
          .execute();
      });
    },

    async delete(request: templates.DeleteTemplateRequest): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const deleted = await trx
          .deleteFrom('templates')
          .where('account_id', '=', request.accountId)
          .where('id', '=', request.templateId)
          .executeTakeFirst();
        if (deleted.numDeletedRows === 0n) throw notFound(request.templateId);
        await announce(trx, request.accountId, request.templateId);
      });
      onChange(request.accountId, request.templateId);
    },

    submit(request: templates.SubmitTemplateRequest): Promise<templates.Template> {
      return change(request.accountId, request.templateId, async (trx, stored) => {
        const drafts = latestPerLanguage(stored).filter((revision) => revision.status === 'draft');
        if (drafts.length === 0) throw invalid('nothing to submit: no language has a draft revision');
        for (const draft of drafts) await setStatus(trx, draft, { status: 'pending' });
        await touch(trx, stored);
      });
    },

    review(request: templates.ReviewTemplateRequest): Promise<templates.Template> {
      return change(request.accountId, request.templateId, async (trx, stored) => {
        const code = normalizeLanguage(request.languageCode);
        const history = stored.revisions.filter((revision) => revision.language_code === code);
        if (history.length === 0) {
          throw new DomainError(ErrorKey.NotFound, `template ${request.templateId} has no language ${code}`);
        }
        const latest = history.at(-1)!;
        const serving = history.findLast(
          (revision) => revision.status === 'approved' || revision.status === 'paused',
        );
        const reviewed = { reviewer: request.reviewer || null, reviewed_at: new Date() };
        if (request.decision === 'approve' && latest.status === 'pending') {
          if (serving) await setStatus(trx, serving, { status: 'superseded' });
          await setStatus(trx, latest, { status: 'approved', rejection_reason: null, ...reviewed });
        } else if (request.decision === 'approve' && serving?.status === 'paused') {
          await setStatus(trx, serving, { status: 'approved', rejection_reason: null, ...reviewed });
        } else if (request.decision === 'reject' && latest.status === 'pending') {
          await setStatus(trx, latest, {
            status: 'rejected',
            rejection_reason: request.reason || null,
            ...reviewed,
          });
        } else if (request.decision === 'pause' && serving?.status === 'approved') {
          await setStatus(trx, serving, {
            status: 'paused',
            rejection_reason: request.reason || null,
            ...reviewed,
          });
        } else {
          throw invalid(reviewRefusal(request.decision, code, latest, serving));
        }
        await touch(trx, stored);
      });
    },
  };
}

function reviewRefusal(
  decision: string,
  code: string,
  latest: RevisionRow,
  serving: RevisionRow | undefined,
): string {
  if (decision === 'pause') return `${code} has no approved revision to pause`;
  if (decision === 'approve' || decision === 'reject') {
    return `${code} has nothing pending to ${decision} (its newest revision is ${latest.status}${
      serving ? `, revision ${serving.revision} is ${serving.status}` : ''
    }); submit a draft first`;
  }
  return `decision must be approve, reject or pause, not "${decision}"`;
}

function latestPerLanguage(stored: StoredTemplate): RevisionRow[] {
  const latest = new Map<string, RevisionRow>();
  for (const revision of stored.revisions) latest.set(revision.language_code, revision);
  return [...latest.values()];
}

function draftRow(
  accountId: string,
  templateId: string,
  languageCode: string,
  revision: number,
  content: unknown,
) {
  return {
    account_id: accountId,
    template_id: templateId,
    language_code: languageCode,
    revision,
    status: 'draft' as const,
    content: JSON.stringify(content),
    rejection_reason: null,
    reviewer: null,
    reviewed_at: null,
  };
}

async function setStatus(
  trx: Kysely<TemplatesTables>,
  revision: RevisionRow,
  values: {
    status: RevisionStatus;
    rejection_reason?: string | null;
    reviewer?: string | null;
    reviewed_at?: Date;
  },
): Promise<void> {
  await trx
    .updateTable('template_revisions')
    .set(values)
    .where('template_id', '=', revision.template_id)
    .where('language_code', '=', revision.language_code)
    .where('revision', '=', revision.revision)
    .execute();
}

async function touch(trx: Kysely<TemplatesTables>, stored: StoredTemplate): Promise<void> {
  await trx
    .updateTable('templates')
    .set({ updated_at: new Date() })
    .where('id', '=', stored.template.id)
    .execute();
}

/** Queues `template.changed` in the caller's transaction. */
async function announce(trx: Kysely<TemplatesTables>, accountId: string, templateId: string): Promise<void> {
  const data: TemplateChangedEvent = { accountId, templateId };
  await enqueueEvents(trx, [
    {
      topic: Topics.templateChanged,
      id: eventId.templateChanged(templateId, randomUUID()),
      key: templateId,
      data,
      headers: traceHeaders(),
    },
  ]);
}
