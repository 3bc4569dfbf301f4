export { type EmbeddedGateway, type EmbeddedOptions, migrateEmbeddedSchemas, startEmbeddedGateway } from './embedded-gateway.js';
