import { templates } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { StatusErrorCode } from '@wagate/errors';
import { mount, type ServiceMount } from '@wagate/rpc';
import { templatesMigrations } from './db/migrations.js';
import { TEMPLATES_SCHEMA, type TemplatesTables } from './db/tables.js';
import { renderBody } from './render.js';

export interface TemplatesService {
  grpc: ServiceMount;
  stop(): Promise<void>;
}

/**
 * Templates for the walking skeleton: approved template versions per language and batched
 * rendering. Management through /v1 and approval arrive with the templates issue.
 */
export async function startTemplates(deps: { database: Database }): Promise<TemplatesService> {
  await migrateSchema(deps.database, TEMPLATES_SCHEMA, templatesMigrations);
  const db = withSchema<TemplatesTables>(deps.database, TEMPLATES_SCHEMA);

  const implementation: templates.TemplatesServiceImplementation = {
    async render(request) {
      const ids = [...new Set(request.items.map((item) => item.templateId))];
      // One query for the whole batch, never one per message.
      const versions =
        ids.length === 0
          ? []
          : await db
              .selectFrom('template_versions')
              .select(['template_id', 'language_code', 'body'])
              .where('account_id', '=', request.accountId)
              .where('template_id', 'in', ids)
              .where('status', '=', 'approved')
              .execute();
      const byKey = new Map(versions.map((v) => [`${v.template_id}/${v.language_code.toLowerCase()}`, v.body]));
      return {
        results: request.items.map((item) => {
          const body = byKey.get(`${item.templateId}/${(item.languageCode || 'en').toLowerCase()}`);
          if (body === undefined) {
            return {
              messageId: item.messageId,
              text: '',
              errorCode: StatusErrorCode.TemplateLanguageMissing,
              description: `no approved template ${item.templateId} for language ${item.languageCode || 'en'}`,
            };
          }
          const outcome = renderBody(body, item.params);
          return outcome.ok
            ? { messageId: item.messageId, text: outcome.text, errorCode: 0, description: '' }
            : { messageId: item.messageId, text: '', errorCode: outcome.errorCode, description: outcome.description };
        }),
      };
    },
  };

  return { grpc: mount(templates.TemplatesServiceDefinition, implementation), stop: async () => {} };
}
