import type { Generated } from 'kysely';

export const TEMPLATES_SCHEMA = 'templates';

export interface TemplateVersionsTable {
  template_id: string;
  account_id: string;
  language_code: string;
  body: string;
  status: 'draft' | 'pending' | 'approved' | 'rejected' | 'paused';
  created_at: Generated<Date>;
}

export interface TemplatesTables {
  template_versions: TemplateVersionsTable;
}
