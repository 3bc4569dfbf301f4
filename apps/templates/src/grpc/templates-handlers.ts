import { templates } from '@wagate/contracts';
import { decodeCursor, InvalidCursorError, pageOf, pageSize } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import { mount, type ServiceMount } from '@wagate/rpc';
import type { Kysely } from 'kysely';
import type { ApprovedCache } from '../approved-cache.js';
import type { TemplatesTables } from '../db/tables.js';
import type { templateManagement } from '../manage-templates.js';
import { renderBatch } from '../render-batch.js';
import { findTemplate, listTemplates } from '../template-store.js';
import { TEMPLATES_ACCESS } from './access.js';
import { languagesFromProto } from './from-proto.js';
import { renderResultToProto, templateToProto } from './to-proto.js';

interface HandlerDeps {
  db: Kysely<TemplatesTables>;
  cache: ApprovedCache;
  manage: ReturnType<typeof templateManagement>;
}

/** Templates' gRPC service, mounted with its access table. */
export function mountTemplatesGrpc(deps: HandlerDeps): ServiceMount {
  return mount(templates.TemplatesServiceDefinition, templatesHandlers(deps), TEMPLATES_ACCESS);
}

/** The gRPC handlers: each reads its request into domain types, calls the domain and answers in proto. */
function templatesHandlers(deps: HandlerDeps): templates.TemplatesServiceImplementation {
  const { db, cache, manage } = deps;
  return {
    async render(request) {
      const results = await renderBatch(cache, request.accountId, request.items);
      return { results: results.map(renderResultToProto) };
    },
    async createTemplate(request) {
      const created = await manage.create({
        accountId: request.accountId,
        name: request.name,
        category: request.category,
        defaultLanguage: request.defaultLanguage,
        languages: languagesFromProto(request.languages),
      });
      return { template: templateToProto(created) };
    },
    async getTemplate(request) {
      const stored = await findTemplate(db, request.accountId, request.templateId);
      if (!stored)
        throw new DomainError(ErrorKey.NotFound, `no template ${request.templateId} in this account`);
      return { template: templateToProto(stored) };
    },
    async listTemplates(request) {
      const size = pageSize(request.limit);
      let below: readonly [string] | undefined;
      try {
        below = decodeCursor(request.cursor, (key): key is readonly [string] => key.length === 1);
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new DomainError(ErrorKey.Invalid, error.message);
        throw error;
      }
      const rows = await listTemplates(db, request.accountId, below?.[0], size + 1);
      const page = pageOf(rows, size, (stored) => [stored.template.id]);
      return { templates: page.rows.map(templateToProto), nextCursor: page.nextCursor };
    },
    async updateTemplate(request) {
      const updated = await manage.update({
        accountId: request.accountId,
        templateId: request.templateId,
        ...(request.defaultLanguage !== undefined ? { defaultLanguage: request.defaultLanguage } : {}),
        languages: languagesFromProto(request.languages),
      });
      return { template: templateToProto(updated) };
    },
    async deleteTemplate(request) {
      await manage.delete(request);
      return {};
    },
    submitTemplate: async (request) => ({ template: templateToProto(await manage.submit(request)) }),
    reviewTemplate: async (request) => ({ template: templateToProto(await manage.review(request)) }),
  };
}
