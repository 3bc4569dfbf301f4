import type { templates } from '@wagate/contracts';
import type { AccessTable } from '@wagate/rpc';

/** Who may call templates (docs/security.md): the api, which renders at accept and serves /v1/templates. */
export const TEMPLATES_ACCESS: AccessTable<typeof templates.TemplatesServiceDefinition> = {
  render: ['api'],
  createTemplate: ['api'],
  getTemplate: ['api'],
  listTemplates: ['api'],
  updateTemplate: ['api'],
  deleteTemplate: ['api'],
  submitTemplate: ['api'],
  reviewTemplate: ['api'],
};
