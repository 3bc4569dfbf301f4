export { migrateTemplatesSchema, startTemplates, type TemplatesService } from './templates-service.js';
export { TEMPLATES_ACCESS } from './grpc/access.js';
export { templatesMigrations } from './db/migrations.js';
