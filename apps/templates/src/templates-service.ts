import type { Bus, Subscription } from '@wagate/bus';
import { type TemplateChangedEvent, Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import type { ServiceMount } from '@wagate/rpc';
import { mountTemplatesGrpc } from './grpc/templates-handlers.js';
import { createApprovedCache } from './approved-cache.js';
import { templatesMigrations } from './db/migrations.js';
import { TEMPLATES_SCHEMA, type TemplatesTables } from './db/tables.js';
import { templateManagement } from './manage-templates.js';

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

  return {
    grpc: mountTemplatesGrpc({ db, cache, manage }),
    async stop() {
      await changes.close();
      await relay.stop();
    },
  };
}
