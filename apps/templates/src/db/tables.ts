import type { TemplateContentJson } from '@wagate/contracts';
import type { OutboxTable } from '@wagate/outbox';
import type { ColumnType, Generated } from 'kysely';

export const TEMPLATES_SCHEMA = 'templates';

export type TemplateCategory = 'marketing' | 'utility' | 'authentication';

/**
 * draft → pending → approved | rejected; approved ⇄ paused; an approved or paused revision becomes
 * superseded when a newer one of its language is approved, and an unreviewed one when a newer one
 * is written.
 */
export type RevisionStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'paused' | 'superseded';

export interface TemplatesTable {
  id: string;
  account_id: string;
  name: string;
  category: TemplateCategory;
  default_language: string;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** The content of one revision, stored as JSON in the shape `/v1` shows. */
export type RevisionContent = TemplateContentJson;

export interface TemplateRevisionsTable {
  account_id: string;
  template_id: string;
  language_code: string;
  revision: number;
  status: RevisionStatus;
  content: ColumnType<RevisionContent, string, string>;
  rejection_reason: string | null;
  reviewer: string | null;
  created_at: Generated<Date>;
  reviewed_at: Date | null;
}

export interface TemplatesTables extends OutboxTable {
  templates: TemplatesTable;
  template_revisions: TemplateRevisionsTable;
}
