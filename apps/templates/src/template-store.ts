import type { Kysely, Selectable } from 'kysely';
import type { TemplateRevisionsTable, TemplatesTable, TemplatesTables } from './db/tables.js';

export type TemplateRow = Selectable<TemplatesTable>;
export type RevisionRow = Selectable<TemplateRevisionsTable>;

/** A template with every revision of every language, oldest revision first. */
export interface StoredTemplate {
  template: TemplateRow;
  revisions: RevisionRow[];
}

/** The account's template, or undefined when it is missing or another account's. */
export async function findTemplate(
  db: Kysely<TemplatesTables>,
  accountId: string,
  templateId: string,
  options: { forUpdate?: boolean } = {},
): Promise<StoredTemplate | undefined> {
  const template = await db
    .selectFrom('templates')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', templateId)
    .$if(options.forUpdate === true, (query) => query.forUpdate())
    .executeTakeFirst();
  if (!template) return undefined;
  const [stored] = await withRevisions(db, accountId, [template]);
  return stored;
}

/** A page of the account's templates, newest first (ids are time-sortable). */
export async function listTemplates(
  db: Kysely<TemplatesTables>,
  accountId: string,
  below: string | undefined,
  limit: number,
): Promise<StoredTemplate[]> {
  const rows = await db
    .selectFrom('templates')
    .selectAll()
    .where('account_id', '=', accountId)
    .$if(below !== undefined, (query) => query.where('id', '<', below!))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return withRevisions(db, accountId, rows);
}

/** The templates among `templateIds` that the account has, each with its approved revisions only. */
export async function findApproved(
  db: Kysely<TemplatesTables>,
  accountId: string,
  templateIds: readonly string[],
): Promise<StoredTemplate[]> {
  if (templateIds.length === 0) return [];
  const rows = await db
    .selectFrom('templates')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', 'in', templateIds)
    .execute();
  return withRevisions(db, accountId, rows, { approvedOnly: true });
}

/** One query for the revisions of all `templates`. */
async function withRevisions(
  db: Kysely<TemplatesTables>,
  accountId: string,
  templates: TemplateRow[],
  options: { approvedOnly?: boolean } = {},
): Promise<StoredTemplate[]> {
  if (templates.length === 0) return [];
  const revisions = await db
    .selectFrom('template_revisions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where(
      'template_id',
      'in',
      templates.map((template) => template.id),
    )
    .$if(options.approvedOnly === true, (query) => query.where('status', '=', 'approved'))
    .orderBy('revision')
    .execute();
  return templates.map((template) => ({
    template,
    revisions: revisions.filter((revision) => revision.template_id === template.id),
  }));
}
