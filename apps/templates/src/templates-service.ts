import type { Bus, Subscription } from '@wagate/bus';
import { type TemplateChangedEvent, templates, Topics } from '@wagate/contracts';
import {
  decodeCursor,
  InvalidCursorError,
  migrateSchema,
  pageOf,
  pageSize,
  type Database,
  withSchema,
} from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import { DomainError, ErrorKey } from '@wagate/errors';
import { mount, type ServiceMount } from '@wagate/rpc';
import { TEMPLATES_ACCESS } from './grpc/access.js';
import { createApprovedCache } from './approved-cache.js';
import { templatesMigrations } from './db/migrations.js';
import { TEMPLATES_SCHEMA, type TemplatesTables } from './db/tables.js';
import { templateManagement } from './manage-templates.js';
import { renderBatch } from './render-batch.js';
import { findTemplate, listTemplates } from './template-store.js';
import { templateToProto } from './template-view.js';

const log = createLogger('templates');

export interface TemplatesService {
  grpc: ServiceMount;
  stop(): Promise<void>;
}

/** Creates or updates the templates service's tables (also the migration Job's migrate-only mode). */
export function migrateTemplatesSchema(database: Database): Promise<void> {
  return migrateSchema(database, TEMPLATES_SCHEMA, templatesMigrations);
}

/**
 * Templates: their languages, revisions and approval, and batched rendering from an in-memory
 * cache of approved versions that `template.changed` keeps current on every replica.
 */
export async function startTemplates(deps: {
  database: Database;
  bus: Bus;
  cache?: { ttlMs?: number };
}): Promise<TemplatesService> {
  await migrateTemplatesSchema(deps.database);
  const db = withSchema<TemplatesTables>(deps.database, TEMPLATES_SCHEMA);
  const cache = createApprovedCache(db, deps.cache);
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'templates' });
  const manage = templateManagement(db, (accountId, templateId) => {
    log.info({ accountId, templateId }, 'template changed');
    cache.invalidate(accountId, templateId);
    relay.kick();
  });
  // A broadcast, not a consumer group: every replica keeps its own cache, so each hears every
  // change, and nothing durable is left behind on the bus when a replica goes away.
  const changes: Subscription = await deps.bus.broadcast<TemplateChangedEvent>({
    topic: Topics.templateChanged,
    handler: (data) => cache.invalidate(data.accountId, data.templateId),
  });

  const implementation: templates.TemplatesServiceImplementation = {
    render: (request) => renderBatch(cache, request),
    createTemplate: async (request) => ({ template: await manage.create(request) }),
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
    updateTemplate: async (request) => ({ template: await manage.update(request) }),
    async deleteTemplate(request) {
      await manage.delete(request);
      return {};
    },
    submitTemplate: async (request) => ({ template: await manage.submit(request) }),
    reviewTemplate: async (request) => ({ template: await manage.review(request) }),
  };

  return {
    grpc: mount(templates.TemplatesServiceDefinition, implementation, TEMPLATES_ACCESS),
    async stop() {
      await changes.close();
      await relay.stop();
    },
  };
}
