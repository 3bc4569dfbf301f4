export { startTemplates, type TemplatesService } from './templates-service.js';
