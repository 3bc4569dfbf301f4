export { type EmbeddedGateway, type EmbeddedOptions, startEmbeddedGateway } from './embedded-gateway.js';
